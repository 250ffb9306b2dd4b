import Foundation
import LockCore
import LockCrypto
import LockHost
import LockSession
import LockWire
import NukiProfile
import Testing

// The security regression suite (docs/attacks.md §B) drives the real lock core and session engines.
// Everything the tests do to the lock goes through `LockLink`: `EngineLink` hands each write to the
// engine in process; `GATTSocketLink` sends it as an ATT Write Request over the socket link to a
// `LockServer` and reads the indications back. The cases that concern the wire take a `Transport`
// argument and run on both (`Bench(transport:)`), with the same one-write-one-message contract and
// the same expected codes.

/// How the tests reach the lock under test.
protocol LockLink {
    /// The lock's engine, for inspecting (and, for setup only, adjusting) its state.
    var engine: LockSessionEngine { get set }
    mutating func connect(_ id: ConnectionID)
    mutating func disconnect(_ id: ConnectionID)
    /// One client write (one whole message) and everything the lock does in answer.
    mutating func write(_ bytes: [UInt8], on characteristic: Characteristic, from id: ConnectionID, at now: LockInstant) -> [LockSessionEngine.Action]
    mutating func advance(to now: LockInstant) -> [LockSessionEngine.Action]
    mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [LockSessionEngine.Action]
}

/// The lock engine itself, sans-I/O: a write is handed to `receive` as it is.
struct EngineLink: LockLink {
    var engine: LockSessionEngine

    mutating func connect(_ id: ConnectionID) { engine.connect(id) }
    mutating func disconnect(_ id: ConnectionID) { engine.disconnect(id) }
    mutating func write(_ bytes: [UInt8], on characteristic: Characteristic, from id: ConnectionID, at now: LockInstant) -> [LockSessionEngine.Action] {
        engine.receive(bytes, on: characteristic, from: id, at: now)
    }
    mutating func advance(to now: LockInstant) -> [LockSessionEngine.Action] { engine.advance(to: now) }
    mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [LockSessionEngine.Action] {
        engine.pressButton(heldMilliseconds: heldMilliseconds, at: now)
    }
}

/// A lock's state as the safe-outcome checks compare it: the machine and the persisted bytes.
struct Snapshot: Equatable {
    let machine: LockMachine
    let stateFile: Data
}

/// What one client request produced.
struct Outcome {
    /// Messages the client received for the request (the last one ends it).
    var messages: [NukiMessage] = []
    /// The client's failure (a plaintext Error Report on a GDIO, or an invalid reply).
    var failure: ClientError?
    /// Every frame the client wrote, in order (for replays).
    var written: [(Characteristic, [UInt8])] = []
    /// Everything the lock did while the request ran.
    var actions: [LockSessionEngine.Action] = []

    /// The Error Report's code, encrypted or plain.
    var errorCode: NukiErrorCode? {
        if case .errorReport(let report) = messages.last { return report.errorCode }
        if case .refused(let code)? = failure?.code { return code }
        return nil
    }

    /// The request finished without an Error Report.
    var succeeded: Bool { failure == nil && !messages.isEmpty && errorCode == nil }

    var events: [LockEvent] { actions.compactMap { if case .event(let e) = $0 { return e } else { return nil } } }
}

/// A paired (or pairing) client in the bench.
struct BenchClient {
    var engine: ClientSessionEngine
    var connection: ConnectionID
}

/// A lock and its clients on a virtual clock, seeded randomness only.
struct Bench {
    /// 2026-03-02T09:00:00Z, a Monday.
    static let start = LockInstant(secondsSince1970: 1_772_442_000)
    static let pin = SecurityPIN.u16(4321)
    static let wrongPIN = SecurityPIN.u16(1111)

    var link: any LockLink
    var now: LockInstant
    var clients: [String: BenchClient] = [:]
    private var nextConnection: UInt64 = 1
    private let seed: UInt64
    private var sealCounter: UInt64 = 0

    init(transport: Transport = .engine, seed: UInt64 = 1, motorStep: Int64 = 0, clockSet: Bool = true,
         random lockRandom: (any RandomSource)? = nil, configure: (inout LockMachine) -> Void = { _ in }) throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = motorStep
        var machine = LockMachine(
            model: model, nukiID: 0x5EC0_0001, settings: LockSettings(name: FixedName("Front door", width: FixedName.nameWidth)),
            securityPIN: Self.pin)
        // As `lock serve` runs it: local time from the host's tz database.
        machine.timeZoneRules = .systemDatabase
        if clockSet { try machine.setClock(to: Self.start.utcDateTime, at: Self.start) }
        configure(&machine)
        let random: any RandomSource = lockRandom ?? SeededRandomSource(seed: seed)
        let uuid = try #require(LockUUID(random.bytes(count: 16)))
        let engine = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: uuid, random: random)
        switch transport {
        case .engine: link = EngineLink(engine: engine)
        case .gattSocket: link = try GATTSocketLink(engine: engine, now: Self.start)
        }
        now = Self.start
        self.seed = seed
        _ = link.advance(to: now)
    }

    var machine: LockMachine { link.engine.machine }
    var engine: LockSessionEngine { link.engine }

    // MARK: Connections and clients

    /// A connection id no client uses yet.
    mutating func newConnection() -> ConnectionID {
        defer { nextConnection += 1 }
        let id = ConnectionID(nextConnection)
        link.connect(id)
        return id
    }

    mutating func addClient(_ name: String, _ idType: IDType, clientID: UInt32) throws {
        let random = SeededRandomSource(seed: seed &* 1_000 &+ nextConnection &+ 77)
        let engine = ClientSessionEngine(
            idType: idType, clientID: clientID, name: FixedName(name, width: FixedName.nameWidth), keyPair: try KeyPair(using: random),
            random: random)
        clients[name] = BenchClient(engine: engine, connection: newConnection())
    }

    /// Pairs a new client through the real pairing flow (pressing the lock's button first) and
    /// returns its auth id.
    @discardableResult
    mutating func pair(_ name: String, _ idType: IDType, clientID: UInt32? = nil, pressButton: Bool = true) throws -> UInt32 {
        try addClient(name, idType, clientID: clientID ?? UInt32(clients.count + 1))
        if pressButton { press() }
        let outcome = pairing(name)
        guard outcome.failure == nil, let authID = clients[name]?.engine.credentials?.authID else {
            Issue.record("pairing \(name) (\(idType)) failed: \(String(describing: outcome.failure))")
            throw BenchError.pairingFailed
        }
        return authID
    }

    /// Runs the pairing flow of an added client and reports how it ended.
    mutating func pairing(_ name: String) -> Outcome {
        guard var client = clients[name] else { return Outcome() }
        let start = client.engine.startPairing()
        clients[name] = client
        return pump(name, start)
    }

    /// Holds the lock's button for 5 s (pairing mode).
    mutating func press(heldMilliseconds: Int64 = LockMachine.pairingButtonHoldMilliseconds) {
        _ = link.pressButton(heldMilliseconds: heldMilliseconds, at: now)
    }

    /// Sends `request` from client `name` and delivers replies until it ends.
    mutating func request(_ name: String, _ request: ClientRequest) -> Outcome {
        guard var client = clients[name] else {
            Issue.record("no client \(name)")
            return Outcome()
        }
        let start = client.engine.send(request)
        clients[name] = client
        return pump(name, start)
    }

    /// Gives client `name` a fresh connection (the old one is dropped).
    mutating func reconnect(_ name: String) {
        guard let client = clients[name] else { return }
        link.disconnect(client.connection)
        let fresh = newConnection()
        clients[name]?.connection = fresh
        clients[name]?.engine.cancel()
    }

    /// One raw write on `connection`.
    mutating func raw(_ bytes: [UInt8], on characteristic: Characteristic = .keyturnerUSDIO, connection: ConnectionID) -> [LockSessionEngine.Action] {
        link.write(bytes, on: characteristic, from: connection, at: now)
    }

    /// Moves the virtual clock.
    @discardableResult
    mutating func advance(by milliseconds: Int64) -> [LockSessionEngine.Action] {
        now = now.adding(milliseconds: milliseconds)
        return link.advance(to: now)
    }

    mutating func advance(to instant: LockInstant) {
        guard instant > now else { return }
        now = instant
        _ = link.advance(to: now)
    }

    private mutating func pump(_ name: String, _ start: [ClientSessionEngine.Action]) -> Outcome {
        var outcome = Outcome()
        var pending = start
        var rounds = 0
        while !pending.isEmpty, rounds < 10_000 {
            rounds += 1
            let action = pending.removeFirst()
            guard var client = clients[name] else { break }
            switch action {
            case .write(let characteristic, let bytes):
                outcome.written.append((characteristic, bytes))
                let replies = link.write(bytes, on: characteristic, from: client.connection, at: now)
                outcome.actions += replies
                for case .indicate(let id, let c, let b) in replies where id == client.connection {
                    pending += client.engine.receive(b, on: c)
                }
                clients[name] = client
            case .completed(_, let messages), .readBack(_, let messages):
                outcome.messages = messages
            case .failed(let error):
                outcome.failure = error
            case .paired, .challengeReceived:
                break
            }
        }
        return outcome
    }

    // MARK: Hand-made frames

    /// `message` sealed under client `name`'s key and auth id, with a fresh nonce.
    mutating func sealed(_ name: String, _ message: NukiMessage) throws -> [UInt8] {
        sealCounter += 1
        return try Self.seal(message, authID: try authID(name), key: try key(name), seed: 0xF00D_0000 &+ sealCounter)
    }

    /// `command` with a raw `payload` (any bytes) sealed under client `name`'s key.
    mutating func sealedRaw(_ name: String, command: Command, payload: [UInt8]) throws -> [UInt8] {
        sealCounter += 1
        return try EncryptedMessageCodec.seal(
            authID: try authID(name), command: command, payload: payload, key: try key(name),
            random: SeededRandomSource(seed: 0xF00D_0000 &+ sealCounter))
    }

    /// Fetches a fresh challenge on client `name`'s connection with a hand-made Request Data.
    mutating func challenge(_ name: String) throws -> Bytes32 {
        let frame = try sealed(name, .requestData(RequestData(requestedCommand: .challenge)))
        let replies = raw(frame, connection: try connection(name))
        guard case .challenge(let c)? = Self.encrypted(replies, key: try key(name)).last else {
            Issue.record("no challenge: \(replies)")
            throw BenchError.noChallenge
        }
        return c.nonce
    }

    // MARK: Checks

    /// The machine and state-file bytes, after running the lock's timers up to now.
    mutating func snapshot() throws -> Snapshot {
        _ = link.advance(to: now)
        return Snapshot(machine: link.engine.machine, stateFile: try LockStateFile.encode(link.engine))
    }

    /// A valid request from `name` still works on its connection (the connection is still usable).
    mutating func expectUsable(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = request(name, .keyturnerStates)
        guard case .keyturnerStates? = outcome.messages.last else {
            Issue.record("connection of \(name) is not usable: \(outcome.messages) \(String(describing: outcome.failure))", sourceLocation: sourceLocation)
            return
        }
    }

    func key(_ name: String) throws -> SharedKey {
        try #require(clients[name]?.engine.credentials?.sharedKey)
    }

    func authID(_ name: String) throws -> UInt32 {
        try #require(clients[name]?.engine.credentials?.authID)
    }

    func connection(_ name: String) throws -> ConnectionID {
        try #require(clients[name]?.connection)
    }

    /// Error codes of plaintext Error Reports the lock sent on `characteristic` (a GDIO).
    static func plainErrors(_ actions: [LockSessionEngine.Action], on characteristic: Characteristic = .keyturnerGDIO) -> [NukiErrorCode] {
        var codes: [NukiErrorCode] = []
        for case .indicate(_, let c, let bytes) in actions where c == characteristic {
            guard let frame = try? PlainFrame.decode(bytes), frame.command == .errorReport,
                let report = try? ErrorReport(payload: frame.payload)
            else { continue }
            codes.append(report.errorCode)
        }
        return codes
    }

    /// Messages the lock sent encrypted on the keyturner USDIO, opened with `key`.
    static func encrypted(_ actions: [LockSessionEngine.Action], key: SharedKey, context: WireContext = .smartLock) -> [NukiMessage] {
        var out: [NukiMessage] = []
        for case .indicate(_, .keyturnerUSDIO, let bytes) in actions {
            guard let plain = try? EncryptedMessageCodec.open(bytes, key: { _ in key }),
                let message = try? NukiMessage.decode(command: plain.command, payload: plain.payload, context: context)
            else { continue }
            out.append(message)
        }
        return out
    }

    /// Error codes of encrypted Error Reports the lock sent, opened with `key`.
    static func encryptedErrors(_ actions: [LockSessionEngine.Action], key: SharedKey) -> [NukiErrorCode] {
        encrypted(actions, key: key).compactMap { if case .errorReport(let r) = $0 { return r.errorCode } else { return nil } }
    }

    /// Every error code the lock refused with (from the engine's `.refused` actions).
    static func refusals(_ actions: [LockSessionEngine.Action]) -> [NukiErrorCode] {
        actions.compactMap { if case .refused(_, let code, _, _) = $0 { return code } else { return nil } }
    }

    /// Whether any action unlocked or started moving the lock.
    static func movedTheLock(_ actions: [LockSessionEngine.Action]) -> Bool {
        actions.contains {
            if case .event(.lockActionStarted) = $0 { return true }
            if case .event(.lockStateChanged) = $0 { return true }
            return false
        }
    }

    /// `frame` (a plain frame: command, payload, CRC) with byte `offset` XORed with `mask` and its
    /// CRC recomputed, so the frame still parses and the lock reaches the check of the changed field.
    /// (A byte mutation that leaves the CRC stale is refused with 0xFD before any authenticator is
    /// compared: issue 19.)
    static func plainFlipped(_ frame: [UInt8], at offset: Int, mask: UInt8 = 0x01) -> [UInt8] {
        var body = Array(frame.dropLast(2))
        guard body.indices.contains(offset) else { return frame }
        body[offset] ^= mask
        let crc = CRC16.checksum(body)
        return body + [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
    }

    /// `value` with byte `index` XORed with 0x01 (an authenticator wrong in exactly one byte).
    static func flipped(_ value: Bytes32, at index: Int) -> Bytes32 {
        var bytes = value.bytes
        bytes[index] ^= 0x01
        return Bytes32(bytes) ?? .zero
    }

    /// A frame sealed with `key` as `authID` for `message`, with a nonce from a seeded stream.
    static func seal(_ message: NukiMessage, authID: UInt32, key: SharedKey, seed: UInt64 = 99) throws -> [UInt8] {
        try EncryptedMessageCodec.seal(
            authID: authID, command: message.command, payload: message.encodedPayload(), key: key, random: SeededRandomSource(seed: seed))
    }
}

enum BenchError: Error { case pairingFailed, noChallenge }

extension ClientRequest {
    /// A request that sends whatever `build` makes with the fresh challenge, ending on COMPLETE,
    /// an Error Report or any of `final`.
    static func with(_ command: Command, final: Set<Command> = [], _ build: @escaping @Sendable (Bytes32) -> NukiMessage) -> ClientRequest {
        ClientRequest(command: command, needsChallenge: true, finalCommands: final, build: build)
    }

    static func requestLogEntries(count: UInt16 = 100, pin: SecurityPIN = Bench.pin) -> ClientRequest {
        .with(.requestLogEntries) { .requestLogEntries(RequestLogEntries(startIndex: 0, count: count, descending: false, totalCount: true, challenge: $0, securityPIN: pin)) }
    }

    static func addKeypadCode(_ code: UInt32, restriction: TimeRestriction = .unrestricted, pin: SecurityPIN = Bench.pin) -> ClientRequest {
        .with(.addKeypadCode, final: [.keypadCodeID]) {
            .addKeypadCode(AddKeypadCode(code: code, name: FixedName("c\(code)", width: FixedName.shortNameWidth), restriction: restriction, challenge: $0, securityPIN: pin))
        }
    }

    static func updateAuthorization(_ authID: UInt32, enabled: Bool = true, remoteAllowed: Bool = false, restriction: TimeRestriction = .unrestricted, pin: SecurityPIN = Bench.pin) -> ClientRequest {
        .with(.updateAuthorizationEntry) {
            .updateAuthorizationEntry(UpdateAuthorizationEntry(
                authID: authID, name: FixedName("user \(authID)", width: FixedName.nameWidth), enabled: enabled, remoteAllowed: remoteAllowed,
                restriction: restriction, challenge: $0, securityPIN: pin))
        }
    }

    static func removeAuthorization(_ authID: UInt32, pin: SecurityPIN = Bench.pin) -> ClientRequest {
        .with(.removeAuthorizationEntry) { .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: authID, challenge: $0, securityPIN: pin)) }
    }

    /// Set Advanced Config with the factory settings and auto unlock switched on (it is off until
    /// the owner enables it).
    static func enableAutoUnlock(pin: SecurityPIN = Bench.pin) -> ClientRequest {
        var settings = LockMachine.defaultAdvancedSettings
        settings.autoUnlockDisabled = false
        let enabled = settings
        return .with(.setAdvancedConfig) { .setAdvancedConfig(SetAdvancedConfig(settings: enabled, challenge: $0, securityPIN: pin)) }
    }

    static func updateTime(_ time: DateTime, pin: SecurityPIN = Bench.pin) -> ClientRequest {
        .with(.updateTime) { .updateTime(UpdateTime(time: time, challenge: $0, securityPIN: pin)) }
    }

    static func setConfig(name: FixedName = FixedName("Front door", width: FixedName.nameWidth), pairingEnabled: Bool = true, timezoneID: TimeZoneID = .none, pin: SecurityPIN = Bench.pin) -> ClientRequest {
        .with(.setConfig) { Samples.setConfig(name: name, pairingEnabled: pairingEnabled, timezoneID: timezoneID, challenge: $0, pin: pin) }
    }
}

/// One well-formed message per client command, for the access matrix (the correct security PIN, so
/// a refusal can only come from the command × ID-type row).
enum Samples {
    static func setConfig(name: FixedName, pairingEnabled: Bool, timezoneID: TimeZoneID = .none, challenge: Bytes32, pin: SecurityPIN) -> NukiMessage {
        .setConfig(.init(
            name: name, latitude: 0, longitude: 0, autoUnlatch: false, pairingEnabled: pairingEnabled, buttonEnabled: true, ledEnabled: true,
            ledBrightness: 3, timezoneOffsetMinutes: 0, dstMode: .european, fobAction1: .unlock, fobAction2: .lock, fobAction3: .none,
            singleLock: false, advertisingMode: .automatic, timezoneID: timezoneID, challenge: challenge, securityPIN: pin))
    }

    /// Nil for a command that is not a client command (those rows are checked separately).
    static func message(_ command: Command, challenge: Bytes32, pin: SecurityPIN = Bench.pin, targetAuthID: UInt32 = 1) -> NukiMessage? {
        let name = FixedName("x", width: FixedName.nameWidth)
        let settings = LockMachine.defaultAdvancedSettings
        let schedule = TimeControlSchedule(weekdays: [], time: .midnight, lockAction: .lock)
        let time = DateTime(year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        switch command {
        case .requestData: return .requestData(RequestData(requestedCommand: .keyturnerStates))
        case .removeAuthorizationEntry: return .removeAuthorizationEntry(.init(authID: targetAuthID, challenge: challenge, securityPIN: pin))
        case .requestAuthorizationEntries: return .requestAuthorizationEntries(.init(offset: 0, count: 10, challenge: challenge, securityPIN: pin))
        case .authorizationDataInvite:
            return .authorizationDataInvite(.init(
                name: name, idType: .app, sharedKey: Bytes32([UInt8](repeating: 7, count: 32)) ?? challenge, remoteAllowed: true,
                restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .lockAction: return .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: challenge))
        case .setConfig: return setConfig(name: name, pairingEnabled: true, challenge: challenge, pin: pin)
        case .requestConfig: return .requestConfig(.init(challenge: challenge))
        case .setSecurityPIN: return .setSecurityPIN(.init(newPIN: .u16(1), challenge: challenge, securityPIN: pin))
        case .requestCalibration: return .requestCalibration(.init(challenge: challenge, securityPIN: pin))
        case .requestReboot: return .requestReboot(.init(challenge: challenge, securityPIN: pin))
        case .verifySecurityPIN: return .verifySecurityPIN(.init(challenge: challenge, securityPIN: pin))
        case .updateTime: return .updateTime(.init(time: time, challenge: challenge, securityPIN: pin))
        case .updateAuthorizationEntry:
            return .updateAuthorizationEntry(.init(
                authID: targetAuthID, name: name, enabled: true, remoteAllowed: true, restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .requestLogEntries:
            return .requestLogEntries(.init(startIndex: 0, count: 10, descending: false, totalCount: true, challenge: challenge, securityPIN: pin))
        case .enableLogging: return .enableLogging(.init(enabled: false, challenge: challenge, securityPIN: pin))
        case .setAdvancedConfig: return .setAdvancedConfig(.init(settings: settings, challenge: challenge, securityPIN: pin))
        case .requestAdvancedConfig: return .requestAdvancedConfig(.init(challenge: challenge))
        case .addTimeControlEntry: return .addTimeControlEntry(.init(schedule: schedule, challenge: challenge, securityPIN: pin))
        case .removeTimeControlEntry: return .removeTimeControlEntry(.init(entryID: 1, challenge: challenge, securityPIN: pin))
        case .requestTimeControlEntries: return .requestTimeControlEntries(.init(challenge: challenge, securityPIN: pin))
        case .updateTimeControlEntry:
            return .updateTimeControlEntry(.init(entry: TimeControlEntry(entryID: 1, enabled: true, schedule: schedule), challenge: challenge, securityPIN: pin))
        case .addKeypadCode:
            return .addKeypadCode(.init(code: 456_789, name: FixedName("x", width: FixedName.shortNameWidth), restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .requestKeypadCodes: return .requestKeypadCodes(.init(offset: 0, count: 10, challenge: challenge, securityPIN: pin))
        case .updateKeypadCode:
            return .updateKeypadCode(.init(
                codeID: 1, code: 456_789, name: FixedName("x", width: FixedName.shortNameWidth), enabled: true, restriction: .unrestricted,
                challenge: challenge, securityPIN: pin))
        case .removeKeypadCode: return .removeKeypadCode(.init(codeID: 1, challenge: challenge, securityPIN: pin))
        case .keypadAction: return .keypadAction(KeypadActionRequest(source: .code, code: 456_789, action: .unlock, challenge: challenge))
        case .simpleLockAction: return .simpleLockAction(.init(action: .unlock, challenge: challenge))
        default: return nil
        }
    }
}

extension TimeRestriction {
    /// A time-limited restriction with the given parts (dates unset = no date bound).
    static func window(
        from: DateTime = .unset, until: DateTime = .unset, weekdays: Weekdays = [], fromTime: TimeOfDay = .midnight, untilTime: TimeOfDay = .midnight
    ) -> TimeRestriction {
        TimeRestriction(timeLimited: true, allowedFrom: from, allowedUntil: until, allowedWeekdays: weekdays, allowedFromTime: fromTime, allowedUntilTime: untilTime)
    }
}
