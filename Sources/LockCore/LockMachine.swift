import LockWire

/// The emulated smart lock, sans-I/O: its state and what it does with each decoded command.
///
/// `LockMachine` is a value. ``handle(_:from:at:)`` works on a copy and commits it only when the
/// command succeeds, so a refused command (``LockError``) changes nothing. Time is always passed
/// in; the motor advances only through ``advance(to:)``. Challenges, encryption and fragmentation
/// are the session's (`LockSession`); the security PIN, its lockout, the access matrix
/// (``CommandAccess``), time windows and the motor are here.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Commands", `protocol.md` §4–§6.
public struct LockMachine: Hashable, Sendable {
    public var model: LockModel
    public var nukiID: UInt32
    public var settings: LockSettings

    public internal(set) var nukiState: NukiState
    public internal(set) var lockState: LockState = .locked
    public internal(set) var lockTrigger: Trigger = .system
    public internal(set) var lastLockAction: LockAction?
    public internal(set) var lastLockActionTrigger: Trigger?
    public internal(set) var lastLockActionCompletion: CompletionStatus?
    public var doorSensorState: DoorSensorState = .unavailable
    public var configUpdateCount: UInt8 = 0
    public var lockNGoTimer: UInt8 = 0
    /// Battery level, percent.
    public var batteryPercent: Int = 100

    public internal(set) var authorizations: [Authorization] = []
    /// Most authorizations the lock holds (real locks: 200, `protocol.md` §13).
    public var maxAuthorizations: Int = 200
    public internal(set) var nextAuthID: UInt32 = 1

    public internal(set) var securityPIN: SecurityPIN
    public internal(set) var pinGuard = FailureLockout.securityPIN

    /// Offset of the lock's clock from the injected time, set by Update Time; nil until set.
    public internal(set) var clockOffsetMilliseconds: Int64?
    /// How long pairing mode lasts once entered.
    public var pairingModeMilliseconds: Int64 = 300_000
    public internal(set) var pairingModeUntil: LockInstant?

    var motion: Motion?

    /// Keypad codes and their brute-force lockout (persisted: a restart does not end a lockout).
    public internal(set) var keypadCodes = KeypadCodeBook()
    public internal(set) var keypadLockout = KeypadLockout()
    /// The log ring.
    public internal(set) var log = LockLog()

    /// Hold time of the button that enters pairing mode (Nuki BLE API 2.1: 5 s).
    public static let pairingButtonHoldMilliseconds: Int64 = 5_000

    /// A lock in door mode with no users yet (or uninitialized), locked, clock unset.
    public init(model: LockModel, nukiID: UInt32, settings: LockSettings, securityPIN: SecurityPIN, initialized: Bool = true) {
        self.model = model
        self.nukiID = nukiID
        self.settings = settings
        self.securityPIN = securityPIN
        nukiState = initialized ? .doorMode : .uninitialized
    }

    // MARK: Clock

    /// The lock's own time: the injected time corrected by Update Time, nil while never set.
    public func lockTime(at now: LockInstant) -> LockInstant? {
        clockOffsetMilliseconds.map { now.adding(milliseconds: $0) }
    }

    /// Sets the lock's clock so that `now` reads as `time` (UTC).
    public mutating func setClock(to time: DateTime, at now: LockInstant) throws(LockError) {
        guard let instant = LockInstant(utc: time) else {
            throw LockError(.badParameter, "time \(time) is not a valid date-time")
        }
        clockOffsetMilliseconds = instant.milliseconds(since: now)
    }

    /// How the lock reckons local time, from Config's timezone id, offset and DST mode.
    public var localTime: LocalTime {
        LocalTime(timezoneID: settings.timezoneID, fixedOffsetMinutes: Int(settings.timezoneOffsetMinutes), dstMode: settings.dstMode)
    }

    /// Local time minus UTC at `now`, in minutes.
    func localOffsetMinutes(at now: LockInstant) -> Int { localTime.offsetMinutes(at: lockTime(at: now) ?? now) }

    // MARK: Pairing mode and users

    /// Whether pairing mode is active at `now` (leaving it when its time ran out).
    public func isPairingMode(at now: LockInstant) -> Bool {
        guard let until = pairingModeUntil else { return false }
        return now < until
    }

    /// A press of the lock's button held for `heldMilliseconds`. Five seconds or more enter
    /// pairing mode, unless Config "pairing enabled" is off on a lock that has users.
    public mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [LockOutput] {
        guard heldMilliseconds >= LockMachine.pairingButtonHoldMilliseconds else { return [] }
        guard settings.pairingEnabled || authorizations.isEmpty else { return [] }
        let until = now.adding(milliseconds: pairingModeMilliseconds)
        pairingModeUntil = until
        return [.event(.pairingModeEntered(until: until))]
    }

    /// Leaves pairing mode (after a pairing, or when asked).
    public mutating func leavePairingMode() -> [LockOutput] {
        guard pairingModeUntil != nil else { return [] }
        pairingModeUntil = nil
        return [.event(.pairingModeLeft)]
    }

    public func authorization(_ authID: UInt32) -> Authorization? {
        authorizations.first { $0.authID == authID }
    }

    /// Takes the next authorization id for a pairing in progress (sent in Authorization-ID before the
    /// client confirms). Ids are never reused, so an abandoned pairing only skips one.
    public mutating func reserveAuthID() -> UInt32 {
        defer { nextAuthID &+= 1 }
        return nextAuthID
    }

    /// Stores a newly paired client under `authID` (from ``reserveAuthID()``) and leaves pairing
    /// mode, so one pairing ends it. Pairing again with the same ID type and client id replaces
    /// the earlier authorization (`protocol.md` §13), revoking it.
    /// Throws P_ERROR_NOT_PAIRING outside pairing mode, P_ERROR_BAD_PARAMETER for an ID type that
    /// cannot pair or an id already in use, P_ERROR_MAX_USER when the table is full.
    public mutating func addAuthorization(
        authID: UInt32, idType: IDType, clientID: UInt32, name: FixedName, at now: LockInstant
    ) throws(LockError) -> (Authorization, [LockOutput]) {
        guard isPairingMode(at: now) else { throw LockError(.notPairing, "the lock is not in pairing mode") }
        guard idType.isPairable else { throw LockError(.pairingBadParameter, "ID type \(idType) cannot pair") }
        var copy = self
        var outputs: [LockOutput] = []
        if let old = copy.authorizations.firstIndex(where: { $0.idType == idType && $0.clientID == clientID }) {
            outputs.append(.event(.authorizationRevoked(authID: copy.authorizations[old].authID)))
            copy.authorizations.remove(at: old)
        }
        guard copy.authorizations.count < maxAuthorizations else {
            throw LockError(.maxUser, "all \(maxAuthorizations) authorizations are used")
        }
        guard copy.authorization(authID) == nil else {
            throw LockError(.pairingBadParameter, "authorization id \(authID) is in use")
        }
        let created = copy.lockTime(at: now)?.utcDateTime ?? .unset
        let authorization = Authorization(authID: authID, idType: idType, clientID: clientID, name: name, dateCreated: created)
        copy.nextAuthID = max(copy.nextAuthID, authID &+ 1)
        copy.authorizations.append(authorization)
        if copy.nukiState == .uninitialized { copy.nukiState = .doorMode }
        outputs.append(.event(.authorizationAdded(authID: authorization.authID, idType: idType)))
        outputs += copy.leavePairingMode()
        self = copy
        return (authorization, outputs)
    }

    /// Puts back an authorization loaded from persisted state (or a test fixture), keeping its auth
    /// id; an existing entry with the same id is replaced. Later pairings get higher ids.
    public mutating func restoreAuthorization(_ authorization: Authorization) {
        authorizations.removeAll { $0.authID == authorization.authID }
        authorizations.append(authorization)
        authorizations.sort { $0.authID < $1.authID }
        nextAuthID = max(nextAuthID, authorization.authID &+ 1)
        if nukiState == .uninitialized { nukiState = .doorMode }
    }

    // MARK: Commands

    /// Handles one decoded, authenticated command from `authID` at `now`. The challenge nonce has
    /// already been checked and consumed by the session.
    ///
    /// Throws ``LockError`` (state unchanged): K_ERROR_NOT_AUTHORIZED for an unknown auth id or a
    /// command its ID type may not send, K_ERROR_DISABLED, K_ERROR_TIME_NOT_ALLOWED, K_ERROR_BAD_PIN,
    /// K_ERROR_TOO_MANY_PIN_ATTEMPTS, K_ERROR_BUSY, K_ERROR_BAD_PARAMETER, ERROR_UNKNOWN for a
    /// command this emulator does not implement yet.
    public mutating func handle(_ message: NukiMessage, from authID: UInt32, at now: LockInstant) throws(LockError) -> [LockOutput] {
        guard let auth = authorization(authID) else {
            throw LockError(.notAuthorized, "unknown authorization id \(authID)")
        }
        guard CommandAccess.allows(message.command, from: auth.idType) else {
            throw LockError(.notAuthorized, "\(auth.idType) may not send \(message.command)")
        }
        if let protected = message.payload as? any PINProtectedPayload {
            // Outside the copy: a failed attempt counts toward the lockout even though it is refused.
            try checkSecurityPIN(protected.securityPIN, at: now)
        }
        // The log is append-only and entries of refused attempts must stay, so it is moved into the
        // working copy rather than shared with it (sharing would copy the whole ring on the first
        // append).
        var log = LockLog()
        swap(&log, &self.log)
        var copy = self
        copy.log = log
        log = LockLog()
        do {
            let outputs = try copy.apply(message, from: auth, at: now)
            self = copy
            return outputs
        } catch {
            // A refused command changes nothing, except the record of a failed attempt: the keypad
            // lockout count and the log entry of a wrong code must survive the refusal.
            keypadLockout = copy.keypadLockout
            swap(&self.log, &copy.log)
            throw error
        }
    }

    private mutating func apply(_ message: NukiMessage, from auth: Authorization, at now: LockInstant) throws(LockError) -> [LockOutput] {
        let reply = { (m: NukiMessage) in LockOutput.reply(authID: auth.authID, m) }
        let complete = reply(.status(Status(.complete)))
        switch message {
        case .requestData(let request):
            switch request.requestedCommand {
            case .keyturnerStates: return [reply(.keyturnerStates(keyturnerStates(at: now)))]
            case .batteryReport: return [reply(.batteryReport(batteryReport()))]
            default: throw LockError(.unknown, "Request Data for \(request.requestedCommand) is not answered")
            }
        case .lockAction(let request):
            if auth.idType == .fob, !(0x81...0x83).contains(request.action.rawValue) {
                throw LockError(.notAuthorized, "a fob may only send fob actions 0x81–0x83")
            }
            return try startLockAction(request.action, flags: request.flags, by: auth, at: now)
        case .simpleLockAction(let request):
            return try startLockAction(request.action, flags: [], by: auth, at: now)
        case .verifySecurityPIN:
            return [complete]
        case .requestConfig:
            return [reply(.config(config(at: now)))]
        case .requestAuthorizationEntries(let request):
            var entries = authorizations.filter { request.filter == nil || $0.idType == request.filter }
            if let own = entries.firstIndex(where: { $0.authID == auth.authID }) {
                entries.insert(entries.remove(at: own), at: 0)
            }
            let page = entries.dropFirst(Int(request.offset)).prefix(Int(request.count))
            var out: [LockOutput] = []
            if request.offset == 0 {
                out.append(reply(.authorizationEntryCount(AuthorizationEntryCount(count: UInt16(clamping: entries.count)))))
            }
            out += page.map { reply(.authorizationEntry($0.entry)) }
            return out + [complete]
        case .removeAuthorizationEntry(let request):
            guard let index = authorizations.firstIndex(where: { $0.authID == request.authID }) else {
                throw LockError(.invalidAuthID, "no authorization \(request.authID)")
            }
            authorizations.remove(at: index)
            return [complete, .event(.authorizationRevoked(authID: request.authID))]
        case .updateAuthorizationEntry(let request):
            guard let index = authorizations.firstIndex(where: { $0.authID == request.authID }) else {
                throw LockError(.invalidAuthID, "no authorization \(request.authID)")
            }
            guard request.name.isWellFormed else { throw LockError(.badParameter, "name is not well-formed UTF-8") }
            authorizations[index].name = request.name
            authorizations[index].enabled = request.enabled
            authorizations[index].remoteAllowed = request.remoteAllowed
            authorizations[index].restriction = request.restriction
            return [complete]
        case .updateTime(let request):
            try setClock(to: request.time, at: now)
            return [complete, .event(.clockSet(request.time))]
        case .setSecurityPIN(let request):
            guard request.newPIN.width == model.wireContext.securityPINWidth else {
                throw LockError(.badParameter, "new PIN has the wrong width")
            }
            securityPIN = request.newPIN
            return [complete, .event(.securityPINChanged)]
        case .requestReboot:
            return [complete, .event(.rebootRequested)]
        case .addKeypadCode(let request):
            let entry = try keypadCodes.add(
                code: request.code, name: request.name, restriction: request.restriction,
                created: lockTime(at: now)?.utcDateTime ?? .unset)
            return [reply(.keypadCodeID(KeypadCodeID(codeID: entry.codeID, dateCreated: entry.dateCreated)))]
        case .requestKeypadCodes(let request):
            let page = keypadCodes.codes.dropFirst(Int(request.offset)).prefix(Int(request.count))
            return [reply(.keypadCodeCount(KeypadCodeCount(count: UInt16(clamping: keypadCodes.codes.count))))]
                + page.map { reply(.keypadCode($0)) } + [complete]
        case .updateKeypadCode(let request):
            try keypadCodes.update(request)
            return [complete]
        case .removeKeypadCode(let request):
            try keypadCodes.remove(codeID: request.codeID)
            return [complete]
        case .keypadAction(let request):
            return try keypadAction(request, by: auth, at: now)
        case .requestLogEntries(let request):
            var out: [LockOutput] = []
            if request.totalCount {
                out.append(reply(.logEntryCount(LogEntryCount(
                    loggingEnabled: log.enabled, count: UInt16(clamping: log.entries.count), doorSensorEnabled: false,
                    doorSensorLoggingEnabled: false))))
            }
            out += log.page(startIndex: request.startIndex, count: request.count, descending: request.descending).map { reply(.logEntry($0)) }
            return out + [complete]
        case .enableLogging(let request):
            log.enabled = request.enabled
            log.append(timestamp: lockTime(at: now)?.utcDateTime ?? .unset, authID: auth.authID, name: auth.name, event: .loggingEnabled(request.enabled))
            return [complete]
        default:
            throw LockError(.unknown, "\(message.command) is not implemented by this emulator yet")
        }
    }

    /// Checks a security PIN in constant time, counting failures toward the lockout.
    mutating func checkSecurityPIN(_ pin: SecurityPIN, at now: LockInstant) throws(LockError) {
        if let remaining = pinGuard.remainingLockout(at: now) {
            throw LockError(.tooManyPINAttempts, "security PIN locked out for \(remaining) ms more")
        }
        guard ConstantTime.equals(pin.bytes, securityPIN.bytes) else {
            pinGuard.recordFailure(at: now)
            throw LockError(.badPIN, "wrong security PIN")
        }
        pinGuard.recordSuccess()
    }

    // MARK: Motor

    private mutating func startLockAction(
        _ requested: LockAction, flags: LockActionFlags, by auth: Authorization, at now: LockInstant,
        logAs logKind: Motion.LogKind? = nil
    ) throws(LockError) -> [LockOutput] {
        guard motion == nil else { throw LockError(.busy, "a lock action is already running") }
        guard auth.enabled else { throw LockError(.disabled, "authorization \(auth.authID) is disabled") }
        if let refusal = TimeWindow.check(auth.restriction, now: lockTime(at: now), localOffsetMinutes: localOffsetMinutes(at: now)) {
            throw refusal
        }
        var action = requested
        if (0x81...0x83).contains(requested.rawValue) {
            switch settings.fobAction(for: requested) {
            case .unlock: action = .unlock
            case .lock: action = .lock
            case .lockNGo: action = .lockNGo
            case .intelligent: action = lockState == .locked ? .unlock : .lock
            default:
                // No action configured: nothing moves, the request completes at once.
                return [.reply(authID: auth.authID, .status(Status(.complete)))]
            }
        }
        if settings.autoUnlatch, action == .unlock { action = .unlatch }
        if let index = authorizations.firstIndex(where: { $0.authID == auth.authID }) {
            authorizations[index].lockCount &+= 1
            authorizations[index].dateLastActive = lockTime(at: now)?.utcDateTime ?? .unset
        }
        motion = Motion(
            action: action, trigger: .system, requester: auth.authID, steps: Motion.steps(for: action), nextStep: 0,
            nextStepAt: now.adding(milliseconds: model.motorStepMilliseconds),
            logEvent: logKind ?? .lockAction(flags: flags.rawValue))
        var outputs: [LockOutput] = [.reply(authID: auth.authID, .status(Status(.accepted)))]
        if model.motorStepMilliseconds == 0 { outputs += advance(to: now) }
        return outputs
    }

    /// Moves the motor up to `now`: one Keyturner States update per step to the requester, then
    /// Status COMPLETE.
    public mutating func advance(to now: LockInstant) -> [LockOutput] {
        var outputs: [LockOutput] = []
        while var current = motion, current.nextStepAt <= now {
            if current.nextStep < current.steps.count {
                lockState = current.steps[current.nextStep]
                lockTrigger = current.trigger
                outputs.append(.event(.lockStateChanged(lockState, trigger: current.trigger)))
                current.nextStep += 1
                let last = current.nextStep == current.steps.count
                if last {
                    lastLockAction = current.action
                    lastLockActionTrigger = current.trigger
                    lastLockActionCompletion = .success
                }
                if let requester = current.requester {
                    outputs.append(.reply(authID: requester, .keyturnerStates(keyturnerStates(at: now))))
                }
                current.nextStepAt = current.nextStepAt.adding(milliseconds: model.motorStepMilliseconds)
                motion = current
                if !last { continue }
            }
            motion = nil
            if let requester = current.requester {
                outputs.append(.reply(authID: requester, .status(Status(.complete))))
            }
            outputs.append(.event(.lockActionCompleted(current.action, trigger: current.trigger, authID: current.requester, status: .success)))
            let name = current.requester.flatMap { authorization($0)?.name } ?? FixedName("", width: FixedName.nameWidth)
            let event: LogEntry.Event
            switch current.logEvent {
            case .lockAction(let flags):
                event = .lockAction(.init(action: current.action, trigger: current.trigger, flags: flags, completionStatus: .success))
            case .keypad(let source, let codeID):
                event = .keypadAction(.init(action: current.action, source: source, completionStatus: .success, codeID: codeID))
            }
            log.append(timestamp: lockTime(at: now)?.utcDateTime ?? .unset, authID: current.requester ?? 0, name: name, event: event)
        }
        return outputs
    }

    /// Keypad Action (0x0048): the back key locks; a typed code is matched in constant time against
    /// every stored code, refused during a lockout (also when right), and a wrong one counts toward
    /// the lockout tiers of ``KeypadLockout`` and is logged with completion status 0xE0.
    private mutating func keypadAction(_ request: KeypadActionRequest, by auth: Authorization, at now: LockInstant) throws(LockError) -> [LockOutput] {
        let time = lockTime(at: now)?.utcDateTime ?? .unset
        switch request.source {
        case .backKey:
            return try startLockAction(.lock, flags: [], by: auth, at: now, logAs: .keypad(source: .backKey, codeID: 0))
        case .code:
            break
        default:
            throw LockError(.badParameter, "keypad source \(request.source) is not supported")
        }
        if let lockout = keypadLockout.active(at: now) {
            throw LockError(lockout.code, "keypad locked out for \(lockout.remainingMilliseconds) ms more")
        }
        guard let index = keypadCodes.match(request.code) else {
            // Kept by handle(_:from:at:) although the request is refused.
            let code = keypadLockout.recordFailure(at: now)
            log.append(timestamp: time, authID: auth.authID, name: auth.name, event: .keypadAction(.init(
                action: LockAction(rawValue: request.action.rawValue), source: .code, completionStatus: .invalidCode, codeID: 0)))
            throw LockError(code, "wrong keypad code")
        }
        let entry = keypadCodes.codes[index]
        guard entry.enabled else { throw LockError(.disabled, "keypad code \(entry.codeID) is disabled") }
        if let refusal = TimeWindow.check(entry.restriction, now: lockTime(at: now), localOffsetMinutes: localOffsetMinutes(at: now)) {
            throw refusal
        }
        let action: LockAction
        switch request.action {
        case .unlock: action = .unlock
        case .lock: action = .lock
        case .unlatch: action = .unlatch
        case .lockNGo: action = .lockNGo
        default: action = lockState == .locked ? .unlock : .lock
        }
        let outputs = try startLockAction(action, flags: [], by: auth, at: now, logAs: .keypad(source: .code, codeID: entry.codeID))
        keypadLockout.recordSuccess()
        keypadCodes.recordUse(at: index, time: time)
        return outputs
    }

    /// Whether the motor is running.
    public var isBusy: Bool { motion != nil }

    // MARK: Reports

    /// Keyturner States in the model's length.
    public func keyturnerStates(at now: LockInstant) -> KeyturnerStates {
        var states = KeyturnerStates(
            nukiState: isPairingMode(at: now) ? .pairingMode : nukiState, lockState: lockState, trigger: lockTrigger,
            currentTime: lockTime(at: now)?.utcDateTime ?? .unset, timezoneOffsetMinutes: settings.timezoneOffsetMinutes,
            criticalBatteryState: criticalBatteryState,
            configUpdateCount: configUpdateCount, lockNGoTimer: lockNGoTimer)
        let length = model.keyturnerStatesLength
        if length > 15 { states.lastLockAction = lastLockAction ?? LockAction(rawValue: 0) }
        if length > 16 { states.lastLockActionTrigger = lastLockActionTrigger ?? .system }
        if length > 17 { states.lastLockActionCompletionStatus = lastLockActionCompletion ?? .success }
        if length > 18 { states.doorSensorState = doorSensorState }
        if length > 19 { states.nightmodeActive = false }
        if length > 20 { states.accessoryBatteryState = 0 }
        if length > 21 { states.remoteAccessStatus = 0 }
        if length > 22 { states.bleConnectionStrength = 0 }
        if length > 23 { states.wifiConnectionStrength = 0 }
        if length > 24 { states.wifiStatus = 0 }
        if length > 25 { states.mqttStatus = 0 }
        if length > 26 { states.threadStatus = 0 }
        return states
    }

    /// Byte 12 of Keyturner States: bit 0 critical (below 20 %); from API 2.2 (21-byte layout) on also
    /// bits 2–7 percent / 2 (Nuki BLE API 2.2 §"Keyturner States", `protocol.md` §5.5).
    public var criticalBatteryState: CriticalBatteryState {
        let critical = batteryPercent < 20
        guard model.keyturnerStatesLength >= 21 else { return CriticalBatteryState(rawValue: critical ? 0x01 : 0x00) }
        return CriticalBatteryState(critical: critical, charging: false, percent: batteryPercent)
    }

    /// Config (0x0015) with the model's optional fields.
    public func config(at now: LockInstant) -> Config {
        Config(
            nukiID: nukiID, name: settings.name, latitude: settings.latitude, longitude: settings.longitude,
            autoUnlatch: settings.autoUnlatch, pairingEnabled: settings.pairingEnabled, buttonEnabled: settings.buttonEnabled,
            ledEnabled: settings.ledEnabled, ledBrightness: settings.ledBrightness,
            currentTime: lockTime(at: now)?.utcDateTime ?? .unset, timezoneOffsetMinutes: settings.timezoneOffsetMinutes,
            dstMode: settings.dstMode, hasFob: authorizations.contains { $0.idType == .fob },
            fobAction1: settings.fobAction(for: .fobAction1), fobAction2: settings.fobAction(for: .fobAction2),
            fobAction3: settings.fobAction(for: .fobAction3), singleLock: settings.singleLock,
            advertisingMode: settings.advertisingMode, hasKeypad: authorizations.contains { $0.idType == .keypad },
            firmwareVersion: model.firmwareVersion, hardwareRevision: model.hardwareRevision, homeKitStatus: 0,
            timezoneID: settings.timezoneID, deviceType: model.deviceType)
    }

    func batteryReport() -> BatteryReport {
        let millivolts = UInt16(clamping: 4_400 + batteryPercent * 12)
        return BatteryReport(
            batteryDrain: 0, batteryVoltage: millivolts, criticalBatteryState: batteryPercent < 20,
            lockAction: lastLockAction ?? LockAction(rawValue: 0), startVoltage: millivolts, lowestVoltage: millivolts,
            lockDistance: 0, startTemperature: 20, maxTurnCurrent: 0, batteryResistance: 0)
    }
}
