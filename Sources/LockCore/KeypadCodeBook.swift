import LockWire

/// The lock's keypad codes (Nuki BLE API 2.1 §"Keypad Codes", `docs/wire.md` §7): add, list,
/// update, remove, and the constant-time match of a typed code.
///
/// Codes live only in the lock. Each has an id assigned by the lock (never reused), a 20-byte
/// name, an enabled flag and a ``LockWire/TimeRestriction`` like authorizations.
public struct KeypadCodeBook: Hashable, Sendable, Codable {
    /// Most codes the lock holds (Keypad 1.0 is reported to allow 99–100; `docs/attacks.md` X-01).
    public var capacity: Int = 100
    public internal(set) var codes: [KeypadCode] = []
    public internal(set) var nextCodeID: UInt16 = 1

    public init() {}

    /// Adds a code. Throws K_ERROR_BAD_PARAMETER for a malformed code or name, 
    /// K_ERROR_CODE_ALREADY_EXISTS, K_ERROR_TOO_MANY_ENTRIES (no eviction).
    public mutating func add(code: UInt32, name: FixedName, restriction: TimeRestriction, created: DateTime) throws(LockError) -> KeypadCode {
        try Self.validate(code: code, name: name)
        guard !codes.contains(where: { $0.code == code }) else {
            throw LockError(.codeAlreadyExists, "the code is already in use")
        }
        guard codes.count < capacity else { throw LockError(.tooManyEntries, "all \(capacity) keypad codes are used") }
        guard nextCodeID < .max else { throw LockError(.tooManyEntries, "keypad code ids are exhausted") }
        let entry = KeypadCode(
            codeID: nextCodeID, code: code, name: name, enabled: true, dateCreated: created, dateLastActive: .unset,
            lockCount: 0, restriction: restriction)
        nextCodeID += 1
        codes.append(entry)
        return entry
    }

    /// Rewrites a code's code, name, enabled flag and restriction. Throws K_ERROR_BAD_PARAMETER
    /// for an unknown id or a malformed code or name, K_ERROR_CODE_ALREADY_EXISTS.
    public mutating func update(_ request: UpdateKeypadCode) throws(LockError) {
        guard let index = codes.firstIndex(where: { $0.codeID == request.codeID }) else {
            throw LockError(.badParameter, "no keypad code \(request.codeID)")
        }
        try Self.validate(code: request.code, name: request.name)
        guard !codes.contains(where: { $0.code == request.code && $0.codeID != request.codeID }) else {
            throw LockError(.codeAlreadyExists, "the code is already in use")
        }
        codes[index].code = request.code
        codes[index].name = request.name
        codes[index].enabled = request.enabled
        codes[index].restriction = request.restriction
    }

    /// Removes a code; K_ERROR_BAD_PARAMETER for an unknown id.
    public mutating func remove(codeID: UInt16) throws(LockError) {
        guard let index = codes.firstIndex(where: { $0.codeID == codeID }) else {
            throw LockError(.badParameter, "no keypad code \(codeID)")
        }
        codes.remove(at: index)
    }

    /// The index of the entry whose code equals `typed`, found by comparing against every entry with
    /// the same work whatever matches, so timing does not reveal which code, or how much of it, was
    /// right (`docs/attacks.md` C-08).
    public func match(_ typed: UInt32) -> Int? {
        var found = -1
        for (i, entry) in codes.enumerated() {
            let difference = entry.code ^ typed
            // all ones when equal, zero otherwise, without a branch on the secret
            let mask = Int(bitPattern: UInt(truncatingIfNeeded: (Int64(difference) - 1) >> 63))
            found = (found & ~mask) | (i & mask)
        }
        return found >= 0 ? found : nil
    }

    /// Records a successful use of the entry at `index`.
    mutating func recordUse(at index: Int, time: DateTime) {
        codes[index].lockCount &+= 1
        codes[index].dateLastActive = time
    }

    static func validate(code: UInt32, name: FixedName) throws(LockError) {
        guard KeypadCode.isValidFormat(code) else {
            throw LockError(.badParameter, "a code has six digits 1–9 and does not start with 12")
        }
        guard name.width == FixedName.shortNameWidth, name.isWellFormed else {
            throw LockError(.badParameter, "the name is not well-formed UTF-8 of 20 bytes")
        }
    }
}
