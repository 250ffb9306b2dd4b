import LockWire

extension LockMachine {
    /// Checks a machine decoded from persisted state, which is untrusted input: decoding fills the
    /// fields directly, so every invariant the initialisers and commands keep is checked here.
    /// Throws ``LockError`` with K_ERROR_BAD_PARAMETER naming the first broken invariant.
    public func validate() throws(LockError) {
        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(LockError) {
            if !condition { throw LockError(.badParameter, "state: " + reason()) }
        }
        try require((KeyturnerStates.minimumByteCount...KeyturnerStates.maximumByteCount).contains(model.keyturnerStatesLength),
                    "Keyturner States length \(model.keyturnerStatesLength) outside 15…27")
        try require(model.motorStepMilliseconds >= 0 && model.motorStepMilliseconds <= 60_000, "motor step out of range")
        try require(securityPIN.width == model.wireContext.securityPINWidth, "security PIN width differs from the model's")
        try require(settings.name.width == FixedName.nameWidth && settings.name.isWellFormed, "lock name is not 32 bytes of UTF-8")
        try require(settings.fobActions.count == 3 && settings.fobActions.allSatisfy { $0.isDocumented }, "fob actions must be 3 documented values")
        try require(settings.timezoneID.isDocumented, "undocumented timezone id")
        try require((0...BatteryModel.full).contains(batteryMilliPercent), "battery level out of range")
        try require(maxAuthorizations >= 1 && maxAuthorizations <= 10_000, "user table size out of range")
        try require(authorizations.count <= maxAuthorizations, "more users than the table holds")
        try require(allDistinct(authorizations, by: \.authID), "duplicate authorization ids")
        try require(authorizations.allSatisfy { $0.authID < nextAuthID }, "an authorization id is not below the next id")
        try require(authorizations.allSatisfy { $0.idType.isPairable && $0.name.width == FixedName.nameWidth && $0.name.isWellFormed },
                    "an authorization has an unpairable ID type or a malformed name")
        try require(authorizations.allSatisfy { $0.restriction.isValid }, "an authorization has an invalid time restriction")
        let codes = keypadCodes.codes
        try require(keypadCodes.capacity >= 0 && keypadCodes.capacity <= 1_000 && codes.count <= keypadCodes.capacity, "too many keypad codes")
        try require(codes.allSatisfy { KeypadCode.isValidFormat($0.code) && $0.name.width == FixedName.shortNameWidth && $0.restriction.isValid },
                    "a keypad code is malformed")
        try require(allDistinct(codes, by: \.code) && allDistinct(codes, by: \.codeID),
                    "duplicate keypad codes or code ids")
        try require(codes.allSatisfy { $0.codeID >= 1 && $0.codeID < keypadCodes.nextCodeID }, "a keypad code id is not below the next id")
        try require(log.capacity >= 1 && log.capacity <= 100_000 && log.entries.count <= log.capacity, "log larger than its capacity")
        try require(zip(log.entries, log.entries.dropFirst()).allSatisfy { $0.index < $1.index }
                    && (log.entries.last.map { $0.index < log.nextIndex } ?? true), "log indices not increasing")
        try require(log.entries.allSatisfy { $0.padding.count <= LogEntry.maximumPaddingBytes }, "log entry padding too long")
        try require(timeControlCapacity >= 0 && timeControlCapacity <= 255 && timeControlEntries.count <= timeControlCapacity,
                    "too many time control entries")
        try require(allDistinct(timeControlEntries, by: \.entryID), "duplicate time control ids")
        try require(nfcTimeBudgetMilliseconds.map { (0...86_400_000).contains($0) } ?? true, "NFC time budget outside 0…24 h")
        if let motion {
            try require(motion.steps.count <= 8 && motion.holdMilliseconds.count <= 8 && motion.nextStep <= motion.steps.count,
                        "motor run state out of range")
            try require(motion.logName.map { $0.width == FixedName.nameWidth && $0.isWellFormed } ?? true,
                        "motor run's log name is not 32 bytes of UTF-8")
        }
    }
}

/// Whether no two elements share `key`. Pairwise for short lists (no allocation: the fuzzing harness
/// validates after every step of a session), a set beyond 16 (state files may hold thousands).
func allDistinct<Element, Key: Hashable>(_ elements: [Element], by key: (Element) -> Key) -> Bool {
    if elements.count <= 16 {
        for i in elements.indices {
            let k = key(elements[i])
            for j in elements.indices where j > i && key(elements[j]) == k { return false }
        }
        return true
    }
    var seen = Set<Key>(minimumCapacity: elements.count)
    for element in elements where !seen.insert(key(element)).inserted { return false }
    return true
}

extension TimeRestriction {
    /// All dates and times valid (what the wire decoder guarantees).
    var isValid: Bool {
        allowedFrom.isValid && allowedUntil.isValid && allowedFromTime.isValid && allowedUntilTime.isValid
            && allowedWeekdays.rawValue & 0x80 == 0
    }
}
