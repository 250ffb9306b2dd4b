import LockCore
import LockWire

/// The reference model of the stateful fuzz targets: who may do what, and when, written apart from
/// ``LockCore/LockMachine`` and ``LockSession/LockSessionEngine`` and asking neither. It only uses
/// wire values (``LockWire/NukiMessage`` and its accessors, ``LockWire/TimeRestriction``) and the
/// virtual clock; every rule below is restated here from the sources named, never called.
///
/// For each encrypted frame a harness sends (described by a ``Frame``: whose key sealed it, which
/// auth ids it carries in clear and inside, whether it was tampered with) ``receive(_:on:at:)``
/// predicts an ``Expectation``; the harness compares it with what the lock did
/// (``Outcome``) through ``confirm(_:outcome:nonce:codeID:)``, which also applies the effects of an
/// accepted command to the model. A disagreement is the invariant `model-<rule>`.
///
/// Rules (Nuki BLE API 2.1 §"Encrypted messages", §"Commands", §"Error codes"; `docs/wire.md` §2,
/// §4, §6, §7, §9, §13; `docs/attacks.md` C-01, C-05, F-05, PIN-02, PIN-07, AU-03, AU-04, AU-08;
/// README §"NFC fob extension"):
/// - envelope: an unknown clear auth id, a MAC that does not verify under the clear id's key, or an
///   inner auth id that differs from the clear one is refused in plaintext with 0x20 and changes
///   nothing (no binding, no challenge used); a bad CRC under a good MAC is 0xFD, encrypted;
/// - a connection belongs to the first auth id that authenticates on it; another id there is 0x20;
/// - Request Data(Challenge) is answered for any paired client (enabled or not) and replaces the
///   connection's challenge; every other client command carries a challenge and uses up the
///   connection's outstanding one whatever happens next: a wrong or used one is 0x22. A matching
///   challenge makes the connection the authorization's live session and closes its others;
/// - access (`CommandAccess` as documented: apps and bridges everything; fobs Request Data and Lock
///   Action with fob actions 0x81–0x83 only; keypads Request Data and Keypad Action): 0x20; a
///   disabled authorization 0x25; a bridge without remote access 0x26; outside the time window 0x27;
///   then the security PIN: during a PIN lockout 0x28 (also for the right PIN), a wrong PIN 0x21
///   and counted (3 free, then 30 s doubling per failure up to 24 h), a right PIN resets the count;
/// - keypad codes: during a keypad lockout every code is refused with the tier's code; an unknown
///   code is counted: 0x2B, and every fifth consecutive failure starts a lockout (5: 30 s, 0x2C;
///   10: 5 min, 0x2D; 15: 30 min, 0x2E; then 1 h doubling up to 24 h, 0x2E); a disabled code 0x25
///   (not counted); a code outside its window 0x27; a code that opens resets the count;
/// - NFC (Keypad Action source 0x80): not a paired fob 0x20; an authenticator that does not verify
///   0x20; a counter not above the highest accepted 0x22; a disabled fob 0x25; outside the fob's
///   window 0x27; an opening keeps the counter;
/// - time windows: dates in UTC, inclusive, to the second; weekdays and the daily window in local
///   time, the window half-open, equal ends the whole day, a window crossing midnight counts for
///   the day it starts; no lock clock: refused; local time is UTC + the configured offset + 1 h in
///   EU summer time (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC); in the
///   repeated hour after the clocks go back the window is judged at its last repeated minute.
///
/// What the model does not know it says so (``windowsKnown``, ``authorizationsKnown``) and then
/// accepts either answer for what depends on it, rather than asking the lock.
public struct AccessModel: Sendable {
    /// A client kind, by ID type.
    public enum Kind: Sendable { case app, bridge, fob, keypad, other }

    public struct Client: Sendable {
        public var kind: Kind
        public var enabled = true
        public var remoteAllowed = false
        public var restriction = TimeRestriction.unrestricted
    }

    public struct Code: Sendable {
        public var code: UInt32
        public var enabled = true
        public var restriction = TimeRestriction.unrestricted
    }

    struct Connection: Sendable {
        var bound: UInt32?
        var challenge: Bytes32?
        var proven = false
    }

    /// One frame a harness wrote to USDIO, as the harness built it.
    public struct Frame: Sendable {
        public var clearAuthID: UInt32
        /// The auth id whose key sealed it; nil for a key the lock never held.
        public var keyOf: UInt32?
        public var innerAuthID: UInt32
        /// False when a byte of the MAC or ciphertext was changed after sealing.
        public var intact = true
        /// False when the plaintext's CRC is wrong (sealed so).
        public var crcValid = true
        public var command: Command
        /// What the plaintext payload decodes to, if it does.
        public var message: NukiMessage?
        /// For an NFC Keypad Action: whether its card authenticator is genuine for the challenge sent.
        public var nfcGenuine = false

        public init(clearAuthID: UInt32, keyOf: UInt32?, innerAuthID: UInt32, command: Command, message: NukiMessage?) {
            self.clearAuthID = clearAuthID
            self.keyOf = keyOf
            self.innerAuthID = innerAuthID
            self.command = command
            self.message = message
        }
    }

    /// What the lock did with a frame, as seen on the connection.
    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        case accepted
        case refused(NukiErrorCode, encrypted: Bool)
        public var description: String {
            switch self {
            case .accepted: return "accepted"
            case .refused(let code, let encrypted): return "refused \(code) (\(encrypted ? "encrypted" : "plain"))"
            }
        }
    }

    /// What the model says the lock must do.
    public enum Expectation: Sendable, CustomStringConvertible {
        /// Exactly this refusal.
        case refused(NukiErrorCode, encrypted: Bool)
        /// Every check of the model passed: accepted, or refused (encrypted) for a reason the model
        /// leaves to the command (busy motor, bad parameter, …), never with an access error.
        case granted
        /// Refused, encrypted, with any code (an undecodable command).
        case refusedAny
        /// Either: the model does not know (``windowsKnown`` or ``authorizationsKnown`` false).
        case unknown

        public var description: String {
            switch self {
            case .refused(let code, let encrypted): return "refused \(code) (\(encrypted ? "encrypted" : "plain"))"
            case .granted: return "granted"
            case .refusedAny: return "refused"
            case .unknown: return "either"
            }
        }
    }

    /// What an accepted command changes in the model.
    enum Effect: Sendable {
        case none
        case challenge(connection: UInt64)
        case keypadOpened
        case nfcOpened(credential: UInt32, counter: UInt32)
        case updateClient(UInt32, enabled: Bool, remoteAllowed: Bool, restriction: TimeRestriction)
        case removeClient(UInt32)
        case setPIN([UInt8])
        case setClock(DateTime, now: LockInstant)
        case addCode(UInt32, TimeRestriction)
        case updateCode(UInt16, UInt32, enabled: Bool, restriction: TimeRestriction)
        case removeCode(UInt16)
        case config(SetConfig)
        case unknownClients
    }

    /// A prediction waiting for the lock's answer.
    public struct Pending: Sendable {
        public let expectation: Expectation
        let effect: Effect
        public let rule: String
    }

    /// Error codes that only the checks of this model may give: a granted command is never refused
    /// with one of them.
    public static let accessCodes: Set<NukiErrorCode> = [
        .notAuthorized, .badPIN, .badNonce, .disabled, .remoteNotAllowed, .timeNotAllowed, .tooManyPINAttempts,
        .codeInvalid, .codeInvalidTimeout1, .codeInvalidTimeout2, .codeInvalidTimeout3,
    ]

    public var clients: [UInt32: Client]
    public var codes: [UInt16: Code]
    public var pin: [UInt8]
    public var pinFailures = 0
    public var pinLockedUntil: LockInstant?
    public var keypadFailures = 0
    public var keypadLockedUntil: LockInstant?
    public var keypadTier = 0
    public var nfcHighest: [UInt32: UInt32] = [:]
    /// Lock time minus injected time; nil while the lock's clock is unset.
    public var clockOffsetMilliseconds: Int64?
    public var utcOffsetMinutes = 0
    public var europeanDST = true
    /// False once the lock uses a tz database zone (the model reckons only fixed offsets + EU DST).
    public var windowsKnown = true
    /// False once an authorization the model cannot follow appeared (an invite).
    public var authorizationsKnown = true
    var connections: [UInt64: Connection] = [:]

    public init(clients: [UInt32: Client], codes: [UInt16: Code], pin: [UInt8], clockOffsetMilliseconds: Int64?) {
        self.clients = clients
        self.codes = codes
        self.pin = pin
        self.clockOffsetMilliseconds = clockOffsetMilliseconds
    }

    // MARK: Connections

    /// A connection opened (or re-opened: it starts over).
    public mutating func connect(_ id: UInt64) { connections[id] = Connection() }
    public mutating func disconnect(_ id: UInt64) { connections[id] = nil }
    /// A restart: no connection survives.
    public mutating func reboot() { connections = [:] }
    /// The auth id a connection belongs to in the model.
    public func boundAuthID(_ id: UInt64) -> UInt32? { connections[id]?.bound }

    // MARK: Prediction

    /// Predicts what the lock does with `frame` on `connection` at `now`, and applies to the model
    /// what happens whatever the answer (binding, challenge use, failure counts).
    public mutating func receive(_ frame: Frame, on connection: UInt64, at now: LockInstant) -> Pending {
        func refuse(_ code: NukiErrorCode, encrypted: Bool = true, _ rule: String) -> Pending {
            Pending(expectation: .refused(code, encrypted: encrypted), effect: .none, rule: rule)
        }
        if connections[connection] == nil { connections[connection] = Connection() }
        // Envelope.
        guard let sender = clients[frame.clearAuthID] else {
            return authorizationsKnown ? refuse(.notAuthorized, encrypted: false, "unknown-auth-id") : Pending(expectation: .unknown, effect: .unknownClients, rule: "unknown-auth-id")
        }
        guard frame.intact, frame.keyOf == frame.clearAuthID else { return refuse(.notAuthorized, encrypted: false, "mac") }
        guard frame.crcValid else { return refuse(.badCRC, "crc") }
        guard frame.innerAuthID == frame.clearAuthID else { return refuse(.notAuthorized, encrypted: false, "inner-auth-id") }
        // Binding.
        if let bound = connections[connection]?.bound, bound != frame.clearAuthID {
            return refuse(.notAuthorized, "connection-bound")
        }
        connections[connection]?.bound = frame.clearAuthID
        let authID = frame.clearAuthID
        guard let message = frame.message else {
            if Self.carriesChallenge(frame.command) { connections[connection]?.challenge = nil }
            return Pending(expectation: .refusedAny, effect: .none, rule: "undecodable")
        }
        if case .requestData(let request) = message, request.requestedCommand == .challenge {
            return Pending(expectation: .granted, effect: .challenge(connection: connection), rule: "challenge")
        }
        // Challenge: used up whatever it is.
        if let challenge = message.challenge {
            let outstanding = connections[connection]?.challenge
            connections[connection]?.challenge = nil
            guard outstanding == challenge else { return refuse(.badNonce, "challenge-once") }
            if connections[connection]?.proven == false {
                connections[connection]?.proven = true
                for (id, other) in connections where id != connection && other.bound == authID { connections[id] = nil }
            }
        }
        // Access.
        guard Self.allows(message.command, sender.kind) else { return refuse(.notAuthorized, "access") }
        guard sender.enabled else { return refuse(.disabled, "disabled-authorization") }
        if sender.kind == .bridge, !sender.remoteAllowed, message.command != .requestData {
            return refuse(.remoteNotAllowed, "remote")
        }
        switch allowed(sender.restriction, at: now) {
        case false?: return refuse(.timeNotAllowed, "authorization-window")
        case nil: return Pending(expectation: .unknown, effect: .none, rule: "authorization-window")
        case true?: break
        }
        if let given = message.securityPIN {
            if let until = pinLockedUntil, now < until { return refuse(.tooManyPINAttempts, "pin-lockout") }
            guard given.bytes == pin else {
                pinFailures += 1
                if pinFailures >= 3 {
                    var duration: Int64 = 30_000
                    for _ in 0..<min(pinFailures - 3, 40) where duration < 86_400_000 { duration *= 2 }
                    pinLockedUntil = now.adding(milliseconds: min(duration, 86_400_000))
                }
                return refuse(.badPIN, "pin")
            }
            pinFailures = 0
            pinLockedUntil = nil
        }
        let granted = { (effect: Effect, rule: String) in Pending(expectation: .granted, effect: effect, rule: rule) }
        switch message {
        case .lockAction(let request):
            if sender.kind == .fob, !(0x81...0x83).contains(request.action.rawValue) { return refuse(.notAuthorized, "fob-actions") }
            return granted(.none, "lock-action")
        case .keypadAction(let request):
            switch request.source {
            case .code: return keypadCode(request.code, at: now)
            case .nfc: return nfc(request, genuine: frame.nfcGenuine, at: now)
            default: return granted(.none, "keypad-source")
            }
        case .updateAuthorizationEntry(let r):
            return granted(.updateClient(r.authID, enabled: r.enabled, remoteAllowed: r.remoteAllowed, restriction: r.restriction), "update-authorization")
        case .removeAuthorizationEntry(let r): return granted(.removeClient(r.authID), "remove-authorization")
        case .setSecurityPIN(let r): return granted(.setPIN(r.newPIN.bytes), "set-pin")
        case .updateTime(let r): return granted(.setClock(r.time, now: now), "update-time")
        case .addKeypadCode(let r): return granted(.addCode(r.code, r.restriction), "add-code")
        case .updateKeypadCode(let r): return granted(.updateCode(r.codeID, r.code, enabled: r.enabled, restriction: r.restriction), "update-code")
        case .removeKeypadCode(let r): return granted(.removeCode(r.codeID), "remove-code")
        case .setConfig(let r): return granted(.config(r), "set-config")
        case .authorizationDataInvite: return granted(.unknownClients, "invite")
        default: return granted(.none, "command")
        }
    }

    mutating func keypadCode(_ typed: UInt32, at now: LockInstant) -> Pending {
        if let until = keypadLockedUntil, now < until {
            return Pending(expectation: .refused(Self.tierCode(keypadTier), encrypted: true), effect: .none, rule: "keypad-lockout")
        }
        guard let entry = codes.values.first(where: { $0.code == typed }) else {
            keypadFailures += 1
            var code = NukiErrorCode.codeInvalid
            if keypadFailures % 5 == 0 {
                keypadTier = min(keypadFailures / 5, 3)
                keypadLockedUntil = now.adding(milliseconds: Self.keypadLockoutMilliseconds(failures: keypadFailures))
                code = Self.tierCode(keypadTier)
            }
            return Pending(expectation: .refused(code, encrypted: true), effect: .none, rule: "keypad-wrong-code")
        }
        guard entry.enabled else { return Pending(expectation: .refused(.disabled, encrypted: true), effect: .none, rule: "keypad-disabled-code") }
        switch allowed(entry.restriction, at: now) {
        case false?: return Pending(expectation: .refused(.timeNotAllowed, encrypted: true), effect: .none, rule: "keypad-code-window")
        case nil: return Pending(expectation: .unknown, effect: .none, rule: "keypad-code-window")
        case true?: return Pending(expectation: .granted, effect: .keypadOpened, rule: "keypad-code-opens")
        }
    }

    func nfc(_ request: KeypadActionRequest, genuine: Bool, at now: LockInstant) -> Pending {
        let refuse = { (code: NukiErrorCode, rule: String) in Pending(expectation: .refused(code, encrypted: true), effect: .none, rule: rule) }
        guard let fob = clients[request.code], fob.kind == .fob else {
            return authorizationsKnown ? refuse(.notAuthorized, "nfc-not-a-fob") : Pending(expectation: .unknown, effect: .none, rule: "nfc-not-a-fob")
        }
        guard genuine else { return refuse(.notAuthorized, "nfc-authenticator") }
        let counter = request.nfc?.counter ?? 0
        guard counter > nfcHighest[request.code, default: 0] else { return refuse(.badNonce, "nfc-counter") }
        guard fob.enabled else { return refuse(.disabled, "nfc-disabled-fob") }
        switch allowed(fob.restriction, at: now) {
        case false?: return refuse(.timeNotAllowed, "nfc-window")
        case nil: return Pending(expectation: .unknown, effect: .none, rule: "nfc-window")
        case true?: return Pending(expectation: .granted, effect: .nfcOpened(credential: request.code, counter: counter), rule: "nfc-opens")
        }
    }

    /// Compares the lock's answer with the prediction; on agreement applies an accepted command's
    /// effect. Returns the broken rule and why, or nil. `nonce` is the challenge the lock sent back,
    /// `codeID` the id of an added keypad code.
    public mutating func confirm(_ pending: Pending, outcome: Outcome, nonce: Bytes32?, codeID: UInt16?) -> (rule: String, reason: String)? {
        switch (pending.expectation, outcome) {
        case (.refused(let code, let encrypted), .refused(let got, let gotEncrypted)) where code == got && encrypted == gotEncrypted:
            return nil
        case (.refused, _):
            return (pending.rule, "expected \(pending.expectation), the lock \(outcome)")
        case (.refusedAny, .refused(_, encrypted: true)):
            return nil
        case (.refusedAny, _):
            return (pending.rule, "expected a refusal, the lock \(outcome)")
        case (.granted, .refused(let code, let encrypted)):
            if Self.accessCodes.contains(code) || !encrypted {
                return (pending.rule, "expected granted, the lock \(outcome)")
            }
            return nil
        case (.unknown, .accepted), (.granted, .accepted):
            apply(pending.effect, nonce: nonce, codeID: codeID)
            return nil
        case (.unknown, .refused):
            return nil
        }
    }

    mutating func apply(_ effect: Effect, nonce: Bytes32?, codeID: UInt16?) {
        switch effect {
        case .none: break
        case .challenge(let connection): connections[connection]?.challenge = nonce
        case .keypadOpened:
            keypadFailures = 0
            keypadLockedUntil = nil
            keypadTier = 0
        case .nfcOpened(let credential, let counter): nfcHighest[credential] = counter
        case .updateClient(let id, let enabled, let remoteAllowed, let restriction):
            clients[id]?.enabled = enabled
            clients[id]?.remoteAllowed = remoteAllowed
            clients[id]?.restriction = restriction
        case .removeClient(let id):
            clients[id] = nil
            nfcHighest[id] = nil
            for (c, connection) in connections where connection.bound == id { connections[c] = nil }
        case .setPIN(let bytes): pin = bytes
        case .setClock(let time, let now):
            if let ms = Self.utcMilliseconds(time) { clockOffsetMilliseconds = ms - now.millisecondsSince1970 }
        case .addCode(let code, let restriction):
            if let codeID { codes[codeID] = Code(code: code, restriction: restriction) }
        case .updateCode(let id, let code, let enabled, let restriction):
            codes[id] = Code(code: code, enabled: enabled, restriction: restriction)
        case .removeCode(let id): codes[id] = nil
        case .config(let config):
            utcOffsetMinutes = Int(config.timezoneOffsetMinutes)
            europeanDST = config.dstMode == .european
            if config.timezoneID != .none { windowsKnown = false }
        case .unknownClients: authorizationsKnown = false
        }
    }

    // MARK: Rules restated

    /// Who may send what (Nuki BLE API 2.1 command tables; `docs/wire.md` §4).
    static func allows(_ command: Command, _ kind: Kind) -> Bool {
        switch kind {
        case .app, .bridge: return clientCommands.contains(command)
        case .fob: return command == .requestData || command == .lockAction
        case .keypad: return command == .requestData || command == .keypadAction
        case .other: return false
        }
    }

    /// Commands a client sends on USDIO (`docs/wire.md` §4; the rest go from lock to client or on the
    /// pairing channel).
    static let clientCommands: Set<Command> = [
        .requestData, .removeAuthorizationEntry, .requestAuthorizationEntries, .authorizationDataInvite, .lockAction,
        .setConfig, .requestConfig, .setSecurityPIN, .requestCalibration, .requestReboot, .verifySecurityPIN, .updateTime,
        .updateAuthorizationEntry, .requestLogEntries, .enableLogging, .setAdvancedConfig, .requestAdvancedConfig,
        .addTimeControlEntry, .removeTimeControlEntry, .requestTimeControlEntries, .updateTimeControlEntry, .addKeypadCode,
        .requestKeypadCodes, .updateKeypadCode, .removeKeypadCode, .keypadAction, .simpleLockAction,
    ]

    /// Every client command but Request Data carries a challenge, so even an undecodable one uses up
    /// the outstanding challenge.
    static func carriesChallenge(_ command: Command) -> Bool {
        command != .requestData && clientCommands.contains(command)
    }

    static func tierCode(_ tier: Int) -> NukiErrorCode {
        tier <= 1 ? .codeInvalidTimeout1 : tier == 2 ? .codeInvalidTimeout2 : .codeInvalidTimeout3
    }

    /// The lockout the `failures`-th consecutive wrong code starts (`docs/wire.md` §7).
    static func keypadLockoutMilliseconds(failures: Int) -> Int64 {
        switch failures / 5 {
        case 1: return 30_000
        case 2: return 300_000
        case 3: return 1_800_000
        default: return min(3_600_000 << Int64(min(failures / 5 - 4, 5)), 86_400_000)
        }
    }

    // MARK: Time

    /// The lock's time at injected `now`, in ms since 1970 (nil: its clock is unset).
    public func lockMilliseconds(at now: LockInstant) -> Int64? {
        clockOffsetMilliseconds.map { now.millisecondsSince1970 + $0 }
    }

    /// Local time minus UTC at lock time `ms`.
    public func localOffsetMinutes(lockMilliseconds ms: Int64) -> Int {
        utcOffsetMinutes + (europeanDST && Self.isEUSummer(ms) ? 60 : 0)
    }

    /// Whether `restriction` allows an action at injected `now`; nil when the model cannot tell.
    public func allowed(_ restriction: TimeRestriction, at now: LockInstant) -> Bool? {
        guard restriction.timeLimited else { return true }
        guard windowsKnown else { return nil }
        guard let ms = lockMilliseconds(at: now) else { return false }
        let second = Self.floorDiv(ms, 1000)
        if let from = Self.utcMilliseconds(restriction.allowedFrom), second * 1000 < from { return false }
        if let until = Self.utcMilliseconds(restriction.allowedUntil), second * 1000 > until { return false }
        let local = Self.floorDiv(ms + Int64(localOffsetMinutes(lockMilliseconds: ms)) * 60_000, 1000)
        var day = Self.floorDiv(local, 86_400)
        var minute = Int((local - day * 86_400) / 60)
        // The repeated hour after the clocks went back (EU: 01:00–02:00 UTC on the last Sunday of
        // October): every repeated wall time already happened once; judge at the last of them.
        if europeanDST, let back = Self.lastSundayOneUTC(month: 10, year: Self.civil(days: Self.floorDiv(ms, 86_400_000)).year),
            ms >= back, ms < back + 3_600_000
        {
            let end = Int(Self.floorDiv(back + Int64(utcOffsetMinutes + 60) * 60_000, 60_000) % 1440 + 1440) % 1440
            if end != 0, end > minute { minute = end - 1 }
        }
        let from = Int(restriction.allowedFromTime.hour) * 60 + Int(restriction.allowedFromTime.minute)
        let until = Int(restriction.allowedUntilTime.hour) * 60 + Int(restriction.allowedUntilTime.minute)
        if from != until {
            if until < from {
                guard minute >= from || minute < until else { return false }
                if minute < until { day -= 1 }
            } else {
                guard minute >= from, minute < until else { return false }
            }
        }
        let mask = restriction.allowedWeekdays.rawValue
        guard mask != 0 else { return true }
        // Bit 6 Monday … bit 0 Sunday; 1970-01-01 was a Thursday.
        let isoWeekday = Int((day % 7 + 7 + 3) % 7) + 1
        return mask & (0x80 >> UInt8(isoWeekday)) != 0
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (Int(yoe + era * 400) + (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A UTC date-time in ms since 1970; nil for the unset value (all zero) or an impossible date.
    static func utcMilliseconds(_ t: DateTime) -> Int64? {
        let (y, mo, d, h, mi, s) = (Int(t.year), Int(t.month), Int(t.day), Int64(t.hour), Int64(t.minute), Int64(t.second))
        guard y >= 1, mo >= 1, mo <= 12, d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, s < 60 else { return nil }
        return ((days(year: y, month: mo, day: d) * 86_400) + h * 3600 + mi * 60 + s) * 1000
    }

    /// 01:00 UTC on the last Sunday of `month` of `year`, in ms since 1970.
    static func lastSundayOneUTC(month: Int, year: Int) -> Int64? {
        let last = days(year: year, month: month, day: daysIn(month: month, year: year))
        let isoWeekday = (last % 7 + 7 + 3) % 7 + 1
        return ((last - isoWeekday % 7) * 86_400 + 3_600) * 1000
    }

    static func isEUSummer(_ ms: Int64) -> Bool {
        let year = civil(days: floorDiv(ms, 86_400_000)).year
        guard let start = lastSundayOneUTC(month: 3, year: year), let end = lastSundayOneUTC(month: 10, year: year) else { return false }
        return ms >= start && ms < end
    }
}
