import Foundation
import LockCore
import LockCrypto
import LockNFC
import LockHost
import LockSession
import LockWire
import NukiProfile

/// Target 6: one lock with a paired app, keypad and fob (``SessionFixture``), driven by a sequence of
/// operations, with the security invariants of `docs/architecture.md` §3 checked after every one.
///
/// Input: operations until the input ends (at most ``maxOperations``). Each is an op byte and its
/// arguments; reading past the end gives zeros. When the first byte has bit 7 set, the input starts
/// from the fixture's lock whose clock was never set (``SessionFixture/machineClockNeverSet``,
/// `docs/attacks.md` AU-09) instead of the one whose clock reads ``SessionFixture/start``; the byte is
/// still the first op byte. The op byte modulo 32 selects the op from
/// ``operationTable``: 0–10 are the ops below in order, 11–15 repeat the cheap ones (sealed command,
/// raw write, clock, keypad, lock action) so random bytes rarely pick the costly reboot, 16–24 are
/// the reference model's ops and 25–31 repeat some of them. Ops 4, 5,
/// 8 and 9 build well-formed messages, so short inputs reach the motor and the admin state from any
/// client; op 1 reaches every handler with the fuzzer's own payloads.
///
/// | op | arguments | what the harness does |
/// |---|---|---|
/// | 0 connection | `a` | connection 1 + (a & 3): disconnect when bit 2, else connect (bit 3 unused since messages leave whole: GATT cuts them) |
/// | 1 sealed command | `f`, command u16, length u16, payload | as client f & 3 (0 app, 1 keypad, 2 fob, 3 a stranger claiming the app's auth id with a wrong key), on its own connection (1–3) or connection 4 (bit 5): fetch a challenge through the engine first (bit 2), write it into the payload (bit 3), write the lock's current PIN into it (bit 4), then seal the payload under the client's key and write it to USDIO |
/// | 2 raw write | `a`, length u16, bytes | the bytes as they are to characteristic a % 3 (pairing GDIO, keyturner GDIO, USDIO) on connection 1 + (a >> 2 & 3) |
/// | 3 clock | `u`, amount u16 | advance the virtual clock by amount × (1 ms, 100 ms, 1 s, 1 min)[u & 3] |
/// | 4 keypad | `m`, action | Keypad Action with a fresh challenge, as the keypad (or the app when bit 2): back key (m & 3 = 0), the stored code (1), a u32 code read next (2), a wrong code (3); action byte as is |
/// | 5 fob press | `a` | Lock Action fob action 0x81 + a % 3 as the fob, with a fresh challenge |
/// | 6 reboot | — | save with ``LockHost/LockStateFile/encode(_:)``, load with `decode`, continue with the loaded engine; only the first ``maxReboots`` of an input, later ones only let time settle |
/// | 7 revoke fob | — | the app removes the fob's authorization (right PIN, fresh challenge) |
/// | 8 lock action | `a`, `r` | Lock Action (one of unlock, lock, unlatch, lock'n'go, lock'n'go with unlatch, full lock, fob actions 1–3: a % 9) with a fresh challenge as client r & 3, flags r >> 2 (bit 0: auto unlock) |
/// | 9 admin write | `k`, `v` | a well-formed admin command with a fresh challenge as client k & 3 with the lock's PIN (or a wrong one when bit 2): (k >> 3) % 7 picks add keypad code (code 246813 + v, a wrong format when v is odd), remove keypad code v, set PIN to 4321 + v, enable logging (v odd), add time control entry (v % 24 h, v % 60 min, unlock), remove authorization v % 5, disable authorization v % 5 |
/// | 10 motor fault | `f` | the motor faults (``LockCore/MotorFault``: uncalibrated, blocked, clutch failure, timeout: f % 4), interrupting a run in progress |
/// | 16 update code | `v`, `e`, `w` | the app rewrites keypad code v (index into the codes the model knows): enabled = e & 1, restriction (e >> 1, w) of ``Session/restriction(_:_:)`` (unrestricted, weekdays, one weekday, 09–17, 22–06 across midnight, 02–03 across the DST hours, dates around now, hours from w) |
/// | 17 update authorization | `t`, `e`, `w` | the app rewrites the keypad's, fob's or its own authorization (t % 3): enabled = e & 1, restriction as op 16 |
/// | 18 NFC tap | `m`, `c` (u32) | Keypad Action source NFC from the keypad (the app when bit 2) for the fob (the keypad's id when bit 3), with a genuine card authenticator over the fresh challenge (one late byte wrong when bit 1); the card's counter: next (+c % 4), the last one again, one below, or a u32 read next ((m >> 4) & 3) |
/// | 19 replay | `i` | the (i % n)-th frame the model judged in this input, byte for byte, on its connection (connection 4 when bit 7) |
/// | 20 tamper | `k`, `p` | as client k & 3, after fetching a challenge, an opening command (app Unlock, fob action 1, keypad the stored code) with, by p & 3: one late MAC byte wrong, one late ciphertext byte wrong, a wrong CRC under a valid MAC, or another client's auth id inside under this client's id in clear and key |
/// | 21 clock edge | `m` | the clock runs to the next local minute-of-day edge (00:00, 01:00, 01:59, 02:00, 02:30, 03:00, 06:00, 09:00, 17:00, 22:00, 23:59: m % 11) shifted by −1 s, 0, +1 s or −60 s (m >> 4) |
/// | 22 set lock time | `t` | the app's Update Time to a DST or year edge (t % 6) |
/// | 23 PIN attempt | `w` | Verify Security PIN as client (w >> 1) & 3 with the right PIN (w even) or a wrong one: wrong in its first byte, or only in its last byte when bit 7 |
/// | 24 add code | `v`, `w` | the app adds keypad code 135792 + … (v % 8) with restriction (v >> 3, w) |
///
/// Op bytes are read modulo 32: 0–15 as before (11–15 repeat cheap ops), 16–24 the ops above,
/// 25–31 repeat NFC tap, replay, keypad, update code, clock edge, tamper and update authorization.
///
/// Invariants (each a crash named `invariant <name>: …`):
/// - `model-<rule>`: every encrypted frame the harness sends or can read (its own, replays, tampered
///   ones, raw USDIO writes it can open with the clients' keys) is judged first by the reference
///   model (``AccessModel``, written apart from the lock and never asking it), which predicts
///   accept, or refuse with which error code, plain or encrypted; any other answer breaks the rule
///   the model applied (e.g. `model-keypad-disabled-code`, `model-challenge-once`,
///   `model-nfc-counter`, `model-pin-lockout`, `model-inner-auth-id`). Raw USDIO bytes that are not
///   an encrypted frame must be refused (`model-envelope`);
/// - `state-valid`: ``LockCore/LockMachine/validate()`` passes after every operation;
/// - `lock-action-without-credential`: a motor run starts only for a command the harness sent from a
///   client allowed to move the motor that way (the app: any Lock Action or Simple Lock Action; the
///   fob: fob actions 0x81–0x83 only; a Keypad Action from keypad or app: the back key locks, a code
///   must be an enabled stored code outside a lockout), from an enabled authorization; auto lock
///   only locks; time control only runs an enabled entry's action. The client's role is the
///   harness's own knowledge, not the lock's authorization table;
/// - `unlock-without-credential`: the lock state becomes unlocking, unlocked, unlatching, unlatched
///   or lock'n'go only during a run of an opening action started as above, or a calibration that
///   started open;
/// - `admin-change-from-non-admin`: users, keypad codes, settings, advanced settings, PIN, time
///   control entries, clock offset or the logging switch change only through an accepted admin
///   write command sent by the app with the lock's PIN;
/// - `lockout-ends-early`: a keypad or security-PIN lockout in force never ends or moves earlier;
/// - `motor-moves-while-faulted`: while a motor fault lasts (`docs/attacks.md` S-08) no lock action
///   run starts (only Request Calibration moves the motor, and ends the fault);
/// - `rejected-frame-changes-nothing`: a write the lock answered with an Error Report leaves the
///   machine as it was, except the failure records (keypad lockout, PIN failure counter, log), and
///   the keypad failure count and the log index only grow;
/// - `connection-changes-nothing`: connecting and disconnecting never touch the machine;
/// - `state-file-roundtrip`: at every reboot op the state encodes, the encoding loads, and the loaded
///   machine equals the saved one. With ``PersistenceCheck/everyOperation`` also after every operation
///   that changed the machine: what `swift test` replays the seeds and regressions with, and what
///   `LATCHKEY_FUZZ_PERSISTENCE=every-operation` selects for a campaign. Fuzzing checks only at reboots
///   by default: one JSON encode and decode under ASan costs as much as the rest of an input, and
///   the fuzzer reaches any state followed by a reboot op (op byte 6) as easily as the state itself.
public enum LockSessionHarness {
    /// Most operations run per input: enough for a pairing-free day of use; longer inputs mostly
    /// cost time (the rate falls with the operation count).
    public static let maxOperations = 24
    /// Longest payload or raw write taken from the input.
    public static let maxWriteBytes = 600
    /// Reboots that really save and load per input. Each costs a JSON encode and decode (as much as
    /// the rest of an input); the corpus grows rich in reboot ops, and a third reboot in one input
    /// adds no state a second one cannot reach. Two keep "a lockout survives two restarts" in reach.
    public static let maxReboots = 2
    /// The op of each op byte modulo 32; the canonical byte of an op is its raw value.
    public static let operationTable: [Operation] = [
        .connection, .sealedCommand, .rawWrite, .clock, .keypad, .fobPress, .reboot, .revokeFob, .lockAction, .adminWrite,
        .motorFault, .sealedCommand, .rawWrite, .clock, .keypad, .lockAction,
        .updateCode, .updateAuthorization, .nfcTap, .replay, .tamper, .clockEdge, .setLockTime, .pinAttempt,
        .addCode, .nfcTap, .replay, .keypad, .updateCode, .clockEdge, .tamper, .updateAuthorization,
    ]

    /// Who the harness speaks as in a sealed command.
    public enum Role: UInt8, Sendable, CaseIterable {
        case app = 0, keypad, fob
        /// Claims the app's auth id with a key the lock does not know.
        case stranger
    }

    /// The op codes of the input format (see the table above).
    public enum Operation: UInt8, Sendable, CaseIterable {
        case connection = 0, sealedCommand, rawWrite, clock, keypad, fobPress, reboot, revokeFob, lockAction, adminWrite, motorFault
        case updateCode = 16, updateAuthorization, nfcTap, replay, tamper, clockEdge, setLockTime, pinAttempt, addCode
    }

    /// The actions of op 8, by `a % 9`.
    public static let lockActions: [LockAction] = [
        .unlock, .lock, .unlatch, .lockNGo, .lockNGoWithUnlatch, .fullLock, .fobAction1, .fobAction2, .fobAction3,
    ]

    /// Commands that write admin state; only the app may, with the PIN.
    static let adminWrites: Set<Command> = [
        .removeAuthorizationEntry, .authorizationDataInvite, .setConfig, .setSecurityPIN, .updateTime,
        .updateAuthorizationEntry, .enableLogging, .setAdvancedConfig, .addTimeControlEntry, .removeTimeControlEntry,
        .updateTimeControlEntry, .addKeypadCode, .updateKeypadCode, .removeKeypadCode,
    ]

    /// When the harness saves and loads the state file (the invariant `state-file-roundtrip`).
    public enum PersistenceCheck: String, Sendable, CaseIterable {
        /// At reboot ops only (at most ``LockSessionHarness/maxReboots`` per input): the fuzzing default.
        case atReboots = "at-reboots"
        /// Also after every operation that left the machine different from the last one saved and
        /// loaded (an encode, a decode and a comparison each): `swift test`'s replay of the seeds and
        /// regressions, and campaigns that trade rate for this check.
        case everyOperation = "every-operation"
    }

    /// The persistence check of the libFuzzer entry point: ``FuzzConfiguration/persistence`` of
    /// the configuration in force (`LATCHKEY_FUZZ_PERSISTENCE`, `at-reboots` unless the entry
    /// point installed another).
    public static var configuredPersistence: PersistenceCheck { FuzzConfiguration.current.persistence }

    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(
        _ input: ArraySlice<UInt8>, fixture: SessionFixture? = SessionFixture.shared, persistence: PersistenceCheck = .atReboots
    ) -> InvariantViolation? {
        run(input, fixture: fixture, persistence: persistence).violation
    }

    /// Runs one input; returns the engine it ended with (nil without a fixture), the first broken
    /// invariant, and how many input bytes were left unread (beyond ``maxOperations``, or after a
    /// violation). Used by ``check(_:fixture:persistence:)`` and to make state-file seeds.
    public static func run(
        _ input: ArraySlice<UInt8>, fixture: SessionFixture? = SessionFixture.shared, persistence: PersistenceCheck = .atReboots
    ) -> (engine: LockSessionEngine?, violation: InvariantViolation?, unread: Int) {
        let (session, violation, unread) = runSession(input, fixture: fixture, persistence: persistence)
        return (session?.engine, violation, unread)
    }

    /// The reference model's verdicts on one input, in order, each `rule outcome` (e.g.
    /// `keypad-wrong-code refused 0x2B (encrypted)`), and the first broken invariant. For tests.
    public static func verdicts(_ input: ArraySlice<UInt8>) -> (verdicts: [String], violation: InvariantViolation?) {
        let (session, violation, _) = runSession(input, fixture: SessionFixture.shared, persistence: .everyOperation, recordVerdicts: true)
        return (session?.verdicts ?? [], violation)
    }

    /// ``run(_:fixture:persistence:)`` with the whole session at the end (its round-trip count).
    static func runSession(_ input: ArraySlice<UInt8>, fixture: SessionFixture?, persistence: PersistenceCheck, recordVerdicts: Bool = false)
        -> (session: Session?, violation: InvariantViolation?, unread: Int)
    {
        guard let fixture else { return (nil, InvariantViolation("fixture", "the session fixture could not be built"), input.count) }
        var session = Session(fixture: fixture, clockNeverSet: input.first.map { $0 & 0x80 != 0 } ?? false)
        if recordVerdicts { session.verdicts = [] }
        var reader = FuzzInputReader(input)
        var operations = 0
        while !reader.isAtEnd, operations < maxOperations {
            operations += 1
            if let violation = session.perform(&reader) { return (session, violation, reader.remaining) }
            if persistence == .everyOperation, session.engine.machine != session.lastRoundTripped,
                let violation = session.roundTrip()
            {
                return (session, violation, reader.remaining)
            }
        }
        return (session, nil, reader.remaining)
    }

    /// What the harness knows about a write.
    enum Sender {
        /// Not a write (the clock, a connection change).
        case none
        /// Bytes from the input, sent as they are.
        case raw
        /// A payload the harness sealed as `role`; `message` is what it decodes to, if it does.
        case sealed(Role, NukiMessage?)

        var summary: String {
            switch self {
            case .none: return "no write"
            case .raw: return "a raw write"
            case .sealed(let role, let message): return "a sealed \(message.map { "\($0.command)" } ?? "undecodable command") from the \(role)"
            }
        }
    }

    /// The motor run the harness saw start and not yet finish.
    enum TrackedRun {
        case action(LockAction)
        case calibration(startedOpen: Bool)
    }

    static func isOpen(_ state: LockState) -> Bool {
        state == .unlocking || state == .unlocked || state == .unlatching || state == .unlatched || state == .unlockedLockNGo
    }

    static func opens(_ action: LockAction) -> Bool {
        action == .unlock || action == .unlatch || action == .lockNGo || action == .lockNGoWithUnlatch
    }

    struct Session {
        let fixture: SessionFixture
        var engine: LockSessionEngine
        var now = SessionFixture.start
        let lockRandom: SeededRandomSource
        let clientRandom: SeededRandomSource
        let clientKeys: [Role: SharedKey]
        var run: TrackedRun?
        /// The instant the lock was last advanced to by ``settle()``.
        var settledAt: LockInstant?
        /// The machine this input last saved and loaded back, so ``PersistenceCheck/everyOperation``
        /// skips operations that changed nothing since.
        var lastRoundTripped: LockMachine?
        /// Reboot ops that saved and loaded so far in this input.
        var reboots = 0
        /// State-file round trips so far in this input (reboots and ``PersistenceCheck/everyOperation``).
        var roundTrips = 0
        /// The reference model (``AccessModel``): what the lock must answer to every frame.
        var model: AccessModel
        /// The harness's keys by auth id (the clients' side).
        let keysByAuthID: [UInt32: SharedKey]
        /// Frames sent in this input that the model judged, for replays (op 19).
        var sent: [(bytes: [UInt8], frame: AccessModel.Frame, connection: ConnectionID)] = []
        /// The NFC counter the fob's card would send next (its own knowledge, not the lock's).
        var cardCounter: UInt32 = 1
        /// Each model verdict as `rule outcome`, when recording (``LockSessionHarness/verdicts(_:)``).
        var verdicts: [String]?

        /// A session on `fixture`'s lock, or on its lock whose clock was never set (`clockNeverSet`).
        init(fixture: SessionFixture, clockNeverSet: Bool = false) {
            self.fixture = fixture
            lockRandom = SeededRandomSource(seed: 0x10C4_5E55)
            clientRandom = SeededRandomSource(seed: 0xC11E_5E55)
            engine = fixture.makeEngine(random: lockRandom, clockNeverSet: clockNeverSet)
            engine.weaknesses = SessionFixture.plantedWeaknesses
            var keys: [Role: SharedKey] = [:]
            keys[.app] = fixture.clientKey(fixture.appAuthID)
            keys[.keypad] = fixture.clientKey(fixture.keypadAuthID)
            keys[.fob] = fixture.clientKey(fixture.fobAuthID)
            keys[.stranger] = try? SharedKey(rawBytes: [UInt8](repeating: 0x5A, count: 32))
            clientKeys = keys
            var byID: [UInt32: SharedKey] = [:]
            byID[fixture.appAuthID] = keys[.app]
            byID[fixture.keypadAuthID] = keys[.keypad]
            byID[fixture.fobAuthID] = keys[.fob]
            keysByAuthID = byID
            model = fixture.initialModel
            if clockNeverSet { model.clockOffsetMilliseconds = nil }
        }

        var context: WireContext { engine.machine.model.wireContext }

        func authID(_ role: Role) -> UInt32 {
            switch role {
            case .app, .stranger: return fixture.appAuthID
            case .keypad: return fixture.keypadAuthID
            case .fob: return fixture.fobAuthID
            }
        }

        func connection(_ role: Role, alternate: Bool) -> ConnectionID {
            alternate || role == .stranger ? ConnectionID(4) : ConnectionID(UInt64(role.rawValue) + 1)
        }

        // MARK: Operations

        mutating func perform(_ reader: inout FuzzInputReader) -> InvariantViolation? {
            let op = LockSessionHarness.operationTable[Int(reader.byte() & 0x1F)]
            switch op {
            case .connection:
                let a = reader.byte()
                if let v = settle() { return v }
                let before = engine.machine
                let id = ConnectionID(UInt64(a & 3) + 1)
                if a & 4 != 0 {
                    engine.disconnect(id)
                    model.disconnect(id.rawValue)
                } else {
                    engine.connect(id)
                    model.connect(id.rawValue)
                }
                return Invariant.holds("connection-changes-nothing", engine.machine == before, "connection op \(a) changed the machine")
            case .sealedCommand:
                let flags = reader.byte()
                let command = Command(rawValue: reader.u16())
                let payload = reader.bytes(upTo: Int(reader.u16()) % LockSessionHarness.maxWriteBytes)
                let role = Role(rawValue: flags & 3) ?? .app
                return sealedCommand(
                    role, command: command, payload: payload, fetchChallenge: flags & 4 != 0, patchChallenge: flags & 8 != 0,
                    patchPIN: flags & 0x10 != 0, alternate: flags & 0x20 != 0)
            case .rawWrite:
                let a = reader.byte()
                let bytes = reader.bytes(upTo: Int(reader.u16()) % LockSessionHarness.maxWriteBytes)
                let characteristic = Characteristic.allCases[Int(a) % Characteristic.allCases.count]
                let frame = characteristic == .keyturnerUSDIO ? classify(bytes) : nil
                return deliver(bytes, on: characteristic, connection: ConnectionID(UInt64(a >> 2 & 3) + 1), sender: .raw, frame: frame).violation
            case .motorFault:
                let fault = MotorFault.allCases[Int(reader.byte()) % MotorFault.allCases.count]
                if let v = settle() { return v }
                let before = engine.machine
                let actions = engine.simulateMotorFault(fault, at: now)
                return checkStep(before: before, actions: actions, sender: .none)
            case .clock:
                let unit: Int64 = [1, 100, 1_000, 60_000][Int(reader.byte() & 3)]
                now = now.adding(milliseconds: Int64(reader.u16()) * unit)
                return settle()
            case .keypad:
                let mode = reader.byte()
                let action = KeypadLockAction(rawValue: reader.byte())
                let source: KeypadActionSource = mode & 3 == 0 ? .backKey : .code
                let code: UInt32
                switch mode & 3 {
                case 0: code = 0
                case 1: code = SessionFixture.keypadCode
                case 2: code = reader.u32()
                default: code = SessionFixture.keypadCode + 1
                }
                return challengedCommand(mode & 4 != 0 ? .app : .keypad) { nonce in
                    .keypadAction(KeypadActionRequest(source: source, code: code, action: action, challenge: nonce))
                }
            case .fobPress:
                let action = LockAction(rawValue: 0x81 + reader.byte() % 3)
                return challengedCommand(.fob) { nonce in
                    .lockAction(LockActionRequest(action: action, appID: SessionFixture.fobClientID, challenge: nonce))
                }
            case .reboot:
                if let v = settle() { return v }
                guard reboots < LockSessionHarness.maxReboots else { return nil }
                reboots += 1
                model.reboot()
                return roundTrip(continueWithLoaded: true)
            case .revokeFob:
                let fob = fixture.fobAuthID
                let pin = engine.machine.securityPIN
                return challengedCommand(.app) { nonce in
                    .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: fob, challenge: nonce, securityPIN: pin))
                }
            case .lockAction:
                let action = LockSessionHarness.lockActions[Int(reader.byte()) % LockSessionHarness.lockActions.count]
                let r = reader.byte()
                let role = Role(rawValue: r & 3) ?? .app
                let flags = LockActionFlags(rawValue: r >> 2)
                let appID = [SessionFixture.appClientID, SessionFixture.keypadClientID, SessionFixture.fobClientID, SessionFixture.appClientID][Int(r & 3)]
                return challengedCommand(role) { nonce in
                    .lockAction(LockActionRequest(action: action, appID: appID, flags: flags, challenge: nonce))
                }
            case .updateCode, .updateAuthorization, .nfcTap, .replay, .tamper, .clockEdge, .setLockTime, .pinAttempt, .addCode:
                return performModelOperation(op, &reader)
            case .adminWrite:
                let k = reader.byte()
                let v = reader.byte()
                let role = Role(rawValue: k & 3) ?? .app
                let current = engine.machine.securityPIN
                let pin: SecurityPIN = k & 4 == 0 ? current : .u16(UInt16(truncatingIfNeeded: current.bytes.first.map(Int.init) ?? 0) &+ 1)
                let name = FixedName("fuzz \(v)", width: FixedName.shortNameWidth)
                let authID = UInt32(v % 5)
                let target = engine.machine.authorization(authID)
                return challengedCommand(role) { nonce in
                    switch (k >> 3) % 7 {
                    case 0:
                        let code = v & 1 == 0 ? SessionFixture.keypadCode + UInt32(v) * 111 : 123_456
                        return .addKeypadCode(AddKeypadCode(code: code, name: name, restriction: .unrestricted, challenge: nonce, securityPIN: pin))
                    case 1:
                        return .removeKeypadCode(RemoveKeypadCode(codeID: UInt16(v), challenge: nonce, securityPIN: pin))
                    case 2:
                        return .setSecurityPIN(SetSecurityPIN(newPIN: .u16(4321 &+ UInt16(v)), challenge: nonce, securityPIN: pin))
                    case 3:
                        return .enableLogging(EnableLogging(enabled: v & 1 == 1, challenge: nonce, securityPIN: pin))
                    case 4:
                        let schedule = TimeControlSchedule(
                            weekdays: Weekdays(rawValue: 0), time: TimeOfDay(hour: v % 24, minute: v % 60), lockAction: .unlock)
                        return .addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: nonce, securityPIN: pin))
                    case 5:
                        return .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: authID, challenge: nonce, securityPIN: pin))
                    default:
                        return .updateAuthorizationEntry(UpdateAuthorizationEntry(
                            authID: authID, name: target?.name ?? FixedName("gone", width: FixedName.nameWidth), enabled: false,
                            remoteAllowed: false, restriction: target?.restriction ?? .unrestricted, challenge: nonce, securityPIN: pin))
                    }
                }
            }
        }

        /// The ops of the reference model's reach (16–24).
        mutating func performModelOperation(_ op: Operation, _ reader: inout FuzzInputReader) -> InvariantViolation? {
            let pin = model.pin.count == 2 ? SecurityPIN.u16(UInt16(model.pin[0]) | UInt16(model.pin[1]) << 8) : engine.machine.securityPIN
            switch op {
            case .updateCode:
                let v = reader.byte()
                let e = reader.byte()
                let w = reader.byte()
                let ids = model.codes.keys.sorted()
                let id = ids.isEmpty ? UInt16(v) : ids[Int(v) % ids.count]
                let code = model.codes[id]?.code ?? SessionFixture.keypadCode
                let restriction = restriction(e >> 1, w)
                return challengedCommand(.app) { nonce in
                    .updateKeypadCode(UpdateKeypadCode(
                        codeID: id, code: code, name: FixedName("fuzz code", width: FixedName.shortNameWidth), enabled: e & 1 == 1,
                        restriction: restriction, challenge: nonce, securityPIN: pin))
                }
            case .updateAuthorization:
                let t = reader.byte()
                let e = reader.byte()
                let w = reader.byte()
                let target = [fixture.keypadAuthID, fixture.fobAuthID, fixture.appAuthID][Int(t) % 3]
                let restriction = restriction(e >> 1, w)
                return challengedCommand(.app) { nonce in
                    .updateAuthorizationEntry(UpdateAuthorizationEntry(
                        authID: target, name: FixedName("fuzz \(target)", width: FixedName.nameWidth), enabled: e & 1 == 1,
                        remoteAllowed: false, restriction: restriction, challenge: nonce, securityPIN: pin))
                }
            case .nfcTap:
                let m = reader.byte()
                let c = reader.byte()
                let role: Role = m & 4 != 0 ? .app : .keypad
                let credential = m & 8 != 0 ? fixture.keypadAuthID : fixture.fobAuthID
                switch m >> 4 & 3 {
                case 0: cardCounter = cardCounter &+ UInt32(c % 4)
                case 1: cardCounter = cardCounter &- 1
                case 2: cardCounter = cardCounter &- 2
                default: cardCounter = reader.u32()
                }
                let counter = cardCounter
                cardCounter = cardCounter &+ 1
                let action = KeypadLockAction(rawValue: [0x01, 0x02, 0x03, 0x04, 0x05][Int(c >> 2) % 5])
                let forge = m & 2 != 0
                let cardKey = fixture.keyBytes[fixture.fobAuthID].flatMap { try? SharedKey(rawBytes: $0) }
                    .map { NFCCardKey.derive(from: $0, credentialID: credential) }
                let connection = connection(role, alternate: false)
                let (nonce, violation) = fetchChallenge(role, connection: connection)
                if let violation { return violation }
                let challenge = nonce ?? .zero
                var authenticator = cardKey.map {
                    NFCCardAssertion(key: $0, credentialID: credential, counter: counter, challenge: challenge.bytes).authenticator.bytes
                } ?? [UInt8](repeating: 0, count: 32)
                if forge { authenticator[31 - Int(c & 3)] ^= 0x01 }
                let evidence = KeypadNFCEvidence(counter: counter, authenticator: Bytes32(authenticator) ?? .zero, uid: [0x04, 0x11, 0x22, 0x33])
                let message = NukiMessage.keypadAction(KeypadActionRequest(nfcCredentialID: credential, action: action, challenge: challenge, evidence: evidence))
                return sendSealed(role, command: message.command, payload: message.encodedPayload(), connection: connection,
                                  nfcGenuine: !forge && credential == fixture.fobAuthID && cardKey != nil)
            case .replay:
                let i = reader.byte()
                guard !sent.isEmpty else { return nil }
                let earlier = sent[Int(i) % sent.count]
                let connection = i & 0x80 != 0 ? ConnectionID(4) : earlier.connection
                return deliver(earlier.bytes, on: .keyturnerUSDIO, connection: connection, sender: .raw, frame: earlier.frame).violation
            case .tamper:
                let k = reader.byte()
                let p = reader.byte()
                let role = Role(rawValue: k & 3) ?? .app
                let connection = connection(role, alternate: false)
                let (nonce, violation) = fetchChallenge(role, connection: connection)
                if let violation { return violation }
                let challenge = nonce ?? .zero
                let message: NukiMessage
                switch role {
                case .keypad: message = .keypadAction(KeypadActionRequest(source: .code, code: SessionFixture.keypadCode, action: .unlock, challenge: challenge))
                case .fob: message = .lockAction(LockActionRequest(action: .fobAction1, appID: SessionFixture.fobClientID, challenge: challenge))
                default: message = .lockAction(LockActionRequest(action: .unlock, appID: SessionFixture.appClientID, challenge: challenge))
                }
                let own = authID(role)
                guard let key = clientKeys[role] else { return nil }
                var frame = AccessModel.Frame(clearAuthID: own, keyOf: role == .stranger ? nil : own, innerAuthID: own, command: message.command, message: message)
                let payload = message.encodedPayload()
                var bytes: [UInt8]
                switch p & 3 {
                case 0, 1:
                    // One late byte of the MAC (0) or of the ciphertext (1) wrong; the envelope stays well-formed.
                    guard let sealed = try? EncryptedMessageCodec.seal(authID: own, command: message.command, payload: payload, key: key, random: clientRandom) else { return nil }
                    bytes = sealed
                    let index = p & 3 == 0 ? 30 + 15 - Int(p >> 2 & 7) : bytes.count - 1 - Int(p >> 2 & 7)
                    bytes[index] ^= 1 << (p >> 5)
                    frame.intact = false
                case 2:
                    // A valid MAC over a plaintext whose CRC is wrong.
                    guard let sealed = LockSessionHarness.seal(clear: own, inner: own, command: message.command, payload: payload, key: key, random: clientRandom, badCRC: true) else { return nil }
                    bytes = sealed
                    frame.crcValid = false
                default:
                    // Inner and clear auth ids differ under a valid MAC: sealed with this client's key and
                    // its id in clear, another client's id inside.
                    let others = [fixture.appAuthID, fixture.keypadAuthID, fixture.fobAuthID].filter { $0 != own }
                    let inner = others[Int(p >> 2) % others.count]
                    guard let sealed = LockSessionHarness.seal(clear: own, inner: inner, command: message.command, payload: payload, key: key, random: clientRandom, badCRC: false) else { return nil }
                    bytes = sealed
                    frame.innerAuthID = inner
                }
                return deliver(bytes, on: .keyturnerUSDIO, connection: connection, sender: .sealed(role, message), frame: frame).violation
            case .clockEdge:
                let m = reader.byte()
                let edges = [0, 60, 119, 120, 150, 180, 360, 540, 1020, 1320, 1439]
                let target = edges[Int(m) % edges.count]
                let offsets: [Int64] = [-1_000, 0, 1_000, -60_000]
                guard let lockMs = model.lockMilliseconds(at: now) else { return nil }
                let localMs = lockMs + Int64(model.localOffsetMinutes(lockMilliseconds: lockMs)) * 60_000
                let dayMs = ((localMs % 86_400_000) + 86_400_000) % 86_400_000
                var delta = (Int64(target) * 60_000 - dayMs + 86_400_000) % 86_400_000
                delta += offsets[Int(m >> 4) % offsets.count]
                if delta <= 0 { delta += 86_400_000 }
                now = now.adding(milliseconds: delta)
                return settle()
            case .setLockTime:
                let t = reader.byte()
                let times = [
                    DateTime(year: 2026, month: 3, day: 29, hour: 0, minute: 59, second: 58),
                    DateTime(year: 2026, month: 10, day: 25, hour: 0, minute: 59, second: 58),
                    DateTime(year: 2026, month: 10, day: 25, hour: 1, minute: 29, second: 0),
                    DateTime(year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 58),
                    DateTime(year: 2026, month: 6, day: 1, hour: 7, minute: 59, second: 59),
                    DateTime(year: 2025, month: 11, day: 30, hour: 8, minute: 0, second: 0),
                ]
                let time = times[Int(t) % times.count]
                return challengedCommand(.app) { nonce in .updateTime(UpdateTime(time: time, challenge: nonce, securityPIN: pin)) }
            case .pinAttempt:
                let w = reader.byte()
                // A wrong PIN differs in its first byte, or (bit 7) only in its last byte.
                let current = pin.bytes.count == 2 ? UInt16(pin.bytes[0]) | UInt16(pin.bytes[1]) << 8 : 4321
                let given: SecurityPIN = w & 1 == 0 ? pin : .u16(current ^ (w & 0x80 != 0 ? 0x0100 : UInt16(w & 0x7E) | 1))
                let role = Role(rawValue: w >> 1 & 3) ?? .app
                return challengedCommand(role) { nonce in .verifySecurityPIN(VerifySecurityPIN(challenge: nonce, securityPIN: given)) }
            case .addCode:
                let v = reader.byte()
                let w = reader.byte()
                let code = 135_792 + UInt32(v % 8) * 111_111 % 400_000
                let restriction = restriction(v >> 3, w)
                return challengedCommand(.app) { nonce in
                    .addKeypadCode(AddKeypadCode(code: code, name: FixedName("fuzz \(v)", width: FixedName.shortNameWidth), restriction: restriction, challenge: nonce, securityPIN: pin))
                }
            default:
                return nil
            }
        }

        /// A time restriction chosen by `selector` and `w` (weekdays, windows across midnight and
        /// the DST hours, date limits around the lock's time).
        func restriction(_ selector: UInt8, _ w: UInt8) -> TimeRestriction {
            let whole = TimeOfDay.midnight
            func window(_ days: UInt8, _ from: TimeOfDay, _ until: TimeOfDay) -> TimeRestriction {
                TimeRestriction(timeLimited: true, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: Weekdays(rawValue: days & 0x7F), allowedFromTime: from, allowedUntilTime: until)
            }
            let oneDay = UInt8(0x80 >> (1 + Int(w) % 7))
            switch selector % 8 {
            case 0: return .unrestricted
            case 1: return window(w, whole, whole)
            case 2: return window(oneDay, whole, whole)
            case 3: return window(w, TimeOfDay(hour: 9, minute: 0), TimeOfDay(hour: 17, minute: 0))
            case 4: return window(oneDay, TimeOfDay(hour: 22, minute: 0), TimeOfDay(hour: 6, minute: 0))
            case 5: return window(0, TimeOfDay(hour: 2, minute: 0), TimeOfDay(hour: 3, minute: 0))
            case 6:
                let lockMs = model.lockMilliseconds(at: now) ?? now.millisecondsSince1970
                let from = LockInstant(millisecondsSince1970: lockMs - Int64(w) * 60_000).utcDateTime
                let until = LockInstant(millisecondsSince1970: lockMs + Int64(w) * 60_000).utcDateTime
                return TimeRestriction(timeLimited: true, allowedFrom: from, allowedUntil: until, allowedWeekdays: [], allowedFromTime: whole, allowedUntilTime: whole)
            default:
                return window(0, TimeOfDay(hour: w % 24, minute: 0), TimeOfDay(hour: (w / 24) % 24, minute: 30))
            }
        }

        /// What the model needs to know of a raw USDIO write: opened with the harness's keys (the
        /// clients' side), or a frame no key of the lock's clients opens.
        func classify(_ bytes: [UInt8]) -> AccessModel.Frame? {
            guard bytes.count >= 30 else { return nil }
            let clear = UInt32(bytes[24]) | UInt32(bytes[25]) << 8 | UInt32(bytes[26]) << 16 | UInt32(bytes[27]) << 24
            let length = Int(bytes[28]) | Int(bytes[29]) << 8
            guard length >= 24, length <= WireLimits.maxCiphertextBytes, bytes.count - 30 == length else { return nil }
            guard let key = keysByAuthID[clear] else {
                return AccessModel.Frame(clearAuthID: clear, keyOf: nil, innerAuthID: clear, command: Command(rawValue: 0), message: nil)
            }
            let plaintext: EncryptedPlaintext
            do {
                plaintext = try EncryptedMessageCodec.open(bytes, checks: [], key: { $0 == clear ? key : nil })
            } catch {
                var frame = AccessModel.Frame(clearAuthID: clear, keyOf: clear, innerAuthID: clear, command: Command(rawValue: 0), message: nil)
                frame.intact = false
                return frame
            }
            var frame = AccessModel.Frame(
                clearAuthID: clear, keyOf: clear, innerAuthID: plaintext.authID, command: plaintext.command,
                message: try? NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: context))
            frame.crcValid = (try? EncryptedMessageCodec.open(bytes, checks: [.crc], key: { $0 == clear ? key : nil })) != nil
            if case .keypadAction(let request)? = frame.message, request.source == .nfc, let evidence = request.nfc,
                let fobKey = keysByAuthID[request.code], request.code == fixture.fobAuthID
            {
                let cardKey = NFCCardKey.derive(from: fobKey, credentialID: request.code)
                frame.nfcGenuine = NFCCardAssertion(credentialID: request.code, counter: evidence.counter, authenticator: evidence.authenticator)
                    .verifies(key: cardKey, challenge: request.challenge.bytes)
            }
            return frame
        }

        /// Fetches a challenge as `role` on its connection, then sends the message built with it.
        mutating func challengedCommand(_ role: Role, _ build: (Bytes32) -> NukiMessage) -> InvariantViolation? {
            let connection = connection(role, alternate: false)
            let (nonce, violation) = fetchChallenge(role, connection: connection)
            if let violation { return violation }
            let message = build(nonce ?? .zero)
            return sendSealed(role, command: message.command, payload: message.encodedPayload(), connection: connection)
        }

        mutating func sealedCommand(
            _ role: Role, command: Command, payload: [UInt8], fetchChallenge fetch: Bool, patchChallenge: Bool, patchPIN: Bool,
            alternate: Bool
        ) -> InvariantViolation? {
            let connection = connection(role, alternate: alternate)
            var payload = payload
            if fetch {
                let (nonce, violation) = fetchChallenge(role, connection: connection)
                if let violation { return violation }
                if patchChallenge, let nonce {
                    payload = LockSessionHarness.patch(payload, command: command, context: context, old: { $0.challenge?.bytes }, new: nonce.bytes) {
                        $0.challenge == nonce
                    }
                }
            }
            if patchPIN {
                let pin = engine.machine.securityPIN
                payload = LockSessionHarness.patch(payload, command: command, context: context, old: { $0.securityPIN?.bytes }, new: pin.bytes) {
                    $0.securityPIN == pin
                }
            }
            return sendSealed(role, command: command, payload: payload, connection: connection)
        }

        /// Request Data(Challenge) as `role`; the nonce is read back from the lock's encrypted reply.
        mutating func fetchChallenge(_ role: Role, connection: ConnectionID) -> (Bytes32?, InvariantViolation?) {
            let request = NukiMessage.requestData(RequestData(requestedCommand: .challenge))
            guard let key = clientKeys[role],
                let frame = try? EncryptedMessageCodec.seal(
                    authID: authID(role), command: .requestData, payload: request.encodedPayload(), key: key, random: clientRandom)
            else { return (nil, nil) }
            let described = AccessModel.Frame(
                clearAuthID: authID(role), keyOf: role == .stranger ? nil : authID(role), innerAuthID: authID(role), command: .requestData, message: request)
            let (actions, violation) = deliver(frame, on: .keyturnerUSDIO, connection: connection, sender: .sealed(role, request), frame: described)
            if let violation { return (nil, violation) }
            for message in replies(actions, connection: connection, role: role) {
                if case .challenge(let challenge) = message { return (challenge.nonce, nil) }
            }
            return (nil, nil)
        }

        mutating func sendSealed(_ role: Role, command: Command, payload: [UInt8], connection: ConnectionID, nfcGenuine: Bool = false) -> InvariantViolation? {
            guard let key = clientKeys[role],
                let frame = try? EncryptedMessageCodec.seal(authID: authID(role), command: command, payload: payload, key: key, random: clientRandom)
            else { return nil }
            let message = try? NukiMessage.decode(command: command, payload: payload, context: context)
            var described = AccessModel.Frame(
                clearAuthID: authID(role), keyOf: role == .stranger ? nil : authID(role), innerAuthID: authID(role), command: command, message: message)
            described.nfcGenuine = nfcGenuine
            return deliver(frame, on: .keyturnerUSDIO, connection: connection, sender: .sealed(role, message), frame: described).violation
        }

        /// The messages the lock sent `role` on `connection`, decrypted with its key.
        func replies(_ actions: [LockSessionEngine.Action], connection: ConnectionID, role: Role) -> [NukiMessage] {
            guard let key = clientKeys[role] else { return [] }
            return ModelObservation.replies(actions, connection: connection, authID: authID(role), key: key, context: context)
        }

        // MARK: Steps and invariants

        /// Runs the lock up to `now` (so the write that follows happens at a settled instant) and checks
        /// it. Skipped when the lock already ran up to `now`: writes never schedule anything due at once
        /// (the motor step is 400 ms), so a second advance to the same instant does nothing.
        mutating func settle() -> InvariantViolation? {
            if settledAt == now { return nil }
            settledAt = now
            let before = engine.machine
            let actions = engine.advance(to: now)
            return checkStep(before: before, actions: actions, sender: .none)
        }

        mutating func deliver(
            _ bytes: [UInt8], on characteristic: Characteristic, connection: ConnectionID, sender: Sender, frame: AccessModel.Frame? = nil
        ) -> (actions: [LockSessionEngine.Action], violation: InvariantViolation?) {
            if let v = settle() { return ([], v) }
            let before = engine.machine
            let pending = frame.map { model.receive($0, on: connection.rawValue, at: now) }
            let actions = engine.receive(bytes, on: characteristic, from: connection, at: now)
            if let v = checkStep(before: before, actions: actions, sender: sender) { return (actions, v) }
            if let frame, let pending {
                if let v = confirm(pending, frame: frame, actions: actions, connection: connection) { return (actions, v) }
                if sent.count < 8 { sent.append((bytes, frame, connection)) } else { sent[Int(now.millisecondsSince1970 & 7)] = (bytes, frame, connection) }
            } else if characteristic == .keyturnerUSDIO, !actions.contains(where: { if case .refused(let id, _, _, _) = $0 { id == connection } else { false } }) {
                // Bytes that are not a frame must be refused and change nothing the model knows.
                return (actions, InvariantViolation("model-envelope", "\(bytes.count) bytes that are no encrypted frame were not refused"))
            }
            return (actions, nil)
        }

        /// Compares the lock's answer to a frame with the model's prediction (`model-<rule>`).
        mutating func confirm(_ pending: AccessModel.Pending, frame: AccessModel.Frame, actions: [LockSessionEngine.Action], connection: ConnectionID) -> InvariantViolation? {
            let observed = ModelObservation(actions, connection: connection, authID: frame.clearAuthID, key: keysByAuthID[frame.clearAuthID], context: context)
            let (outcome, nonce, codeID) = (observed.outcome, observed.nonce, observed.codeID)
            verdicts?.append("\(pending.rule) \(outcome)")
            guard let (rule, reason) = model.confirm(pending, outcome: outcome, nonce: nonce, codeID: codeID) else { return nil }
            return InvariantViolation("model-\(rule)", "\(frame.message.map { "\($0.command)" } ?? "\(frame.command)") from auth id \(frame.clearAuthID) on \(connection) at \(now): \(reason)")
        }

        mutating func checkStep(before: LockMachine, actions: [LockSessionEngine.Action], sender: Sender) -> InvariantViolation? {
            let after = engine.machine
            do {
                try after.validate()
            } catch {
                return InvariantViolation("state-valid", "after \(sender.summary): \(error.reason)")
            }
            var refused: NukiErrorCode?
            for case .refused(_, let code, _, _) in actions { refused = code }
            if let code = refused, let changed = LockSessionHarness.differenceBesidesFailureRecords(before, after) {
                return InvariantViolation("rejected-frame-changes-nothing", "\(sender.summary) was refused with \(code) but changed \(changed)")
            }
            if let part = LockSessionHarness.adminDifference(before, after) {
                var allowed = false
                if case .sealed(.app, let message?) = sender, refused == nil, LockSessionHarness.adminWrites.contains(message.command),
                    message.securityPIN == before.securityPIN, before.authorization(fixture.appAuthID)?.enabled == true
                {
                    allowed = true
                }
                if !allowed {
                    return InvariantViolation("admin-change-from-non-admin", "\(part) changed after \(sender.summary)")
                }
            }
            if let until = before.keypadLockout.lockedUntil, now < until,
                !(after.keypadLockout.lockedUntil.map { $0 >= until } ?? false)
            {
                return InvariantViolation("lockout-ends-early", "keypad lockout until \(until) became \(String(describing: after.keypadLockout.lockedUntil)) at \(now) after \(sender.summary)")
            }
            if let until = before.pinGuard.lockedUntil, now < until, !(after.pinGuard.lockedUntil.map { $0 >= until } ?? false) {
                return InvariantViolation("lockout-ends-early", "PIN lockout until \(until) became \(String(describing: after.pinGuard.lockedUntil)) at \(now) after \(sender.summary)")
            }
            // The fault in force as the step's events happen: a calibration that completes ends it, and
            // a time control entry due later in the same advance may then run.
            var fault = before.motorFault
            for case .event(let event) in actions {
                if let v = checkEvent(event, before: before, sender: sender, fault: &fault) { return v }
            }
            return nil
        }

        mutating func checkEvent(_ event: LockEvent, before: LockMachine, sender: Sender, fault: inout MotorFault?) -> InvariantViolation? {
            switch event {
            case .lockActionStarted(let action, let trigger, let authID):
                if let fault {
                    return InvariantViolation("motor-moves-while-faulted", "\(action) (trigger \(trigger)) started during a \(fault.rawValue) fault after \(sender.summary)")
                }
                if let reason = refusalOfRun(action, trigger: trigger, authID: authID, before: before, sender: sender) {
                    return InvariantViolation("lock-action-without-credential", "\(action) (trigger \(trigger), auth id \(authID.map(String.init) ?? "none")) started after \(sender.summary): \(reason)")
                }
                run = .action(action)
            case .calibrationStarted(let authID):
                guard case .sealed(.app, .requestCalibration?) = sender, authID == fixture.appAuthID else {
                    return InvariantViolation("lock-action-without-credential", "calibration by \(authID) started after \(sender.summary)")
                }
                run = .calibration(startedOpen: LockSessionHarness.isOpen(before.lockState))
            case .calibrationCompleted(_, let status):
                run = nil
                if status == .success { fault = nil }
            case .lockActionCompleted:
                run = nil
            case .lockStateChanged(let state, _):
                guard LockSessionHarness.isOpen(state) else { return nil }
                switch run {
                case .action(let action) where LockSessionHarness.opens(action): return nil
                case .calibration(startedOpen: true): return nil
                default:
                    return InvariantViolation("unlock-without-credential", "lock state \(state) during \(String(describing: run)) after \(sender.summary)")
                }
            default:
                break
            }
            return nil
        }

        /// Why a motor run the lock started is not one the harness's clients were entitled to, or nil.
        func refusalOfRun(_ action: LockAction, trigger: Trigger, authID: UInt32?, before: LockMachine, sender: Sender) -> String? {
            switch trigger {
            case .autoLock:
                return action == .lock ? nil : "auto lock may only lock"
            case .automatic:
                let scheduled = before.timeControlEntries.contains { $0.enabled && $0.schedule.lockAction == action }
                return scheduled ? nil : "no enabled time control entry runs it"
            case .system:
                break
            default:
                return "no operation of this harness produces that trigger"
            }
            guard case .sealed(let role, let message?) = sender else { return "not in answer to a command" }
            guard role != .stranger, authID == self.authID(role) else { return "not the sender's auth id" }
            guard before.authorization(self.authID(role))?.enabled == true else { return "the sender's authorization is disabled or gone" }
            switch message {
            case .lockAction(let request):
                if role == .app { return nil }
                if role == .fob, (0x81...0x83).contains(request.action.rawValue) { return nil }
                return "a \(role) may not send Lock Action \(request.action)"
            case .simpleLockAction:
                return role == .app ? nil : "only the app may send Simple Lock Action"
            case .keypadAction(let request):
                guard role == .app || role == .keypad else { return "a \(role) may not send Keypad Action" }
                if request.source == .backKey { return action == .lock ? nil : "the back key may only lock" }
                if request.source == .nfc {
                    // An NFC tap moves the motor only for a paired, enabled fob with a rising counter
                    // (the authenticator itself is the session's check; a fuzzer cannot forge it).
                    guard let fob = before.authorization(request.code), fob.idType == .fob, fob.enabled else {
                        return "NFC credential \(request.code) is not an enabled fob"
                    }
                    let counter = request.nfc?.counter ?? 0
                    return counter > before.nfcCounters[request.code] ? nil : "NFC counter \(counter) is not above \(before.nfcCounters[request.code])"
                }
                guard before.keypadLockout.active(at: now) == nil else { return "the keypad is locked out" }
                let valid = before.keypadCodes.codes.contains { $0.enabled && $0.code == request.code }
                return valid ? nil : "code \(request.code) is not an enabled stored code"
            default:
                return "\(message.command) does not move the motor"
            }
        }

        /// Encodes the state, loads it back and compares; with `continueWithLoaded`, the loaded engine
        /// replaces the running one (a reboot).
        mutating func roundTrip(continueWithLoaded: Bool = false) -> InvariantViolation? {
            roundTrips += 1
            let data: Data
            do {
                data = try LockStateFile.encode(engine)
            } catch {
                return InvariantViolation("state-file-roundtrip", "the state does not encode: \(error)")
            }
            let loaded: LockSessionEngine
            do {
                loaded = try LockStateFile.decode(data, random: lockRandom)
            } catch {
                return InvariantViolation("state-file-roundtrip", "the saved state does not load: \(error)")
            }
            guard loaded.machine == engine.machine else {
                return InvariantViolation("state-file-roundtrip", "the loaded machine differs in \(LockSessionHarness.differingFields(engine.machine, loaded.machine).joined(separator: ", "))")
            }
            lastRoundTripped = loaded.machine
            if continueWithLoaded {
                engine = loaded
                engine.weaknesses = SessionFixture.plantedWeaknesses
            }
            return nil
        }
    }

    /// A frame sealed under `key` with `clear` in the clear header and `inner` inside, its CRC
    /// broken when `badCRC`: what ``LockCrypto/EncryptedMessageCodec`` never builds.
    static func seal(clear: UInt32, inner: UInt32, command: Command, payload: [UInt8], key: SharedKey, random: SeededRandomSource, badCRC: Bool) -> [UInt8]? {
        var plaintext = EncryptedPlaintext(authID: inner, command: command, payload: payload).encoded()
        if badCRC, let last = plaintext.indices.last { plaintext[last] ^= 0x5A }
        let nonce = random.secretboxNonce()
        guard let box = try? SecretBox.seal(plaintext, nonce: nonce, key: key) else { return nil }
        return EncryptedFrame(nonce: nonce, authID: clear, ciphertext: box).encoded()
    }

    // MARK: Comparisons

    /// Replaces the bytes `old` extracts from the decoded payload with `new`, trying occurrences from
    /// the end, and keeps the first replacement after which `accept` holds; the payload unchanged when
    /// it does not decode or no occurrence works.
    static func patch(
        _ payload: [UInt8], command: Command, context: WireContext, old: (NukiMessage) -> [UInt8]?, new: [UInt8],
        accept: (NukiMessage) -> Bool
    ) -> [UInt8] {
        guard let message = try? NukiMessage.decode(command: command, payload: payload, context: context),
            let current = old(message), current.count == new.count, payload.count >= current.count
        else { return payload }
        var start = payload.count - current.count
        while start >= 0 {
            if payload[start..<start + current.count].elementsEqual(current) {
                var candidate = payload
                candidate.replaceSubrange(start..<start + current.count, with: new)
                if let patched = try? NukiMessage.decode(command: command, payload: candidate, context: context), accept(patched) {
                    return candidate
                }
            }
            start -= 1
        }
        return payload
    }

    /// The admin-owned part of an authorization (not its use counters).
    struct AdminAuthorization: Hashable {
        let authID: UInt32, idType: IDType, clientID: UInt32, name: FixedName, enabled: Bool, remoteAllowed: Bool
        let restriction: TimeRestriction, dateCreated: DateTime
        init(_ a: Authorization) {
            authID = a.authID
            idType = a.idType
            clientID = a.clientID
            name = a.name
            enabled = a.enabled
            remoteAllowed = a.remoteAllowed
            restriction = a.restriction
            dateCreated = a.dateCreated
        }
    }

    /// The admin-owned part of a keypad code (not its use counters).
    struct AdminKeypadCode: Hashable {
        let codeID: UInt16, code: UInt32, name: FixedName, enabled: Bool, restriction: TimeRestriction, dateCreated: DateTime
        init(_ c: KeypadCode) {
            codeID = c.codeID
            code = c.code
            name = c.name
            enabled = c.enabled
            restriction = c.restriction
            dateCreated = c.dateCreated
        }
    }

    /// Whether two lists agree in their admin-owned parts, element by element (no intermediate
    /// arrays: this runs after every step).
    static func sameAdminParts<Element, Part: Equatable>(_ a: [Element], _ b: [Element], _ part: (Element) -> Part) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where part(x) != part(y) { return false }
        return true
    }

    /// The first admin-owned part that differs between two machines, or nil.
    static func adminDifference(_ a: LockMachine, _ b: LockMachine) -> String? {
        if !sameAdminParts(a.authorizations, b.authorizations, AdminAuthorization.init) { return "the authorizations" }
        if a.nextAuthID != b.nextAuthID || a.maxAuthorizations != b.maxAuthorizations { return "the authorization ids" }
        if !sameAdminParts(a.keypadCodes.codes, b.keypadCodes.codes, AdminKeypadCode.init) { return "the keypad codes" }
        if a.keypadCodes.capacity != b.keypadCodes.capacity || a.keypadCodes.nextCodeID != b.keypadCodes.nextCodeID { return "the keypad code ids" }
        if a.settings != b.settings { return "the settings" }
        if a.advancedSettings != b.advancedSettings { return "the advanced settings" }
        if a.securityPIN != b.securityPIN { return "the security PIN" }
        if a.timeControlEntries != b.timeControlEntries || a.timeControlCapacity != b.timeControlCapacity { return "the time control entries" }
        if a.clockOffsetMilliseconds != b.clockOffsetMilliseconds { return "the clock" }
        if a.log.enabled != b.log.enabled || a.log.capacity != b.log.capacity { return "the logging switch" }
        if a.pairingModeMilliseconds != b.pairingModeMilliseconds || a.pairingModeUntil != b.pairingModeUntil { return "pairing mode" }
        return nil
    }

    /// `b` with the failure records of `a`: what a refused attempt may change (`rejected-frame-changes-nothing`,
    /// README "How the emulated lock behaves"): the keypad lockout (failure count, tier, until when),
    /// the security PIN's failure count and lockout, and the log's entries, dropped count and next
    /// index. The logging switch and the log's capacity are admin state and stay `b`'s. Everything
    /// else of ``LockCore/LockMachine`` (every stored property, present and future) is compared.
    @inline(__always)
    static func maskingFailureRecords(_ b: LockMachine, like a: LockMachine) -> LockMachine {
        var masked = b
        masked.keypadLockout = a.keypadLockout
        masked.pinGuard = a.pinGuard
        masked.log = a.log
        masked.log.enabled = b.log.enabled
        masked.log.capacity = b.log.capacity
        return masked
    }

    /// What differs between two machines other than the records a refused attempt keeps
    /// (``maskingFailureRecords(_:like:)``), or nil; the keypad failure count and the log index must
    /// not decrease. (The PIN failure count may: a right PIN resets it even when the command then
    /// fails.) The whole machine is compared (`==` of the `Hashable` ``LockCore/LockMachine``), so a
    /// field added to the lock is covered without touching this oracle; the names of what differs
    /// are only worked out when something does.
    static func differenceBesidesFailureRecords(_ a: LockMachine, _ b: LockMachine) -> String? {
        var changed: [String] = []
        if b.keypadLockout.consecutiveFailures < a.keypadLockout.consecutiveFailures { changed.append("keypadLockout (count decreased)") }
        if b.log.nextIndex < a.log.nextIndex { changed.append("log (index decreased)") }
        let masked = maskingFailureRecords(b, like: a)
        if masked != a { changed += differingFields(a, masked) }
        return changed.isEmpty ? nil : changed.joined(separator: ", ")
    }

    /// The stored properties of ``LockCore/LockMachine`` whose values differ between `a` and `b`, by
    /// name (reflection: only for the message of a broken invariant, never on the fast path). A
    /// property whose value is not `Hashable` is named when its description differs.
    static func differingFields(_ a: LockMachine, _ b: LockMachine) -> [String] {
        var names: [String] = []
        for (x, y) in zip(Mirror(reflecting: a).children, Mirror(reflecting: b).children) {
            let name = x.label ?? "?"
            if let hx = x.value as? AnyHashable, let hy = y.value as? AnyHashable {
                if hx != hy { names.append(name) }
            } else if String(describing: x.value) != String(describing: y.value) {
                names.append(name)
            }
        }
        return names.isEmpty ? ["an unnamed part"] : names
    }
}
