import Foundation
import LockCore
import LockCrypto
import LockSession
import LockWire

/// Seed inputs of the stateful targets: real command sequences for ``LockSessionHarness``, real
/// pairings for ``PairingHarness`` and real state files for ``StateFileHarness``. Part of
/// ``SeedCorpus``; deterministic.
public enum SessionSeeds {
    /// Builds one ``LockSessionHarness`` input.
    public struct SessionScript {
        /// The input so far.
        public private(set) var writer = FuzzInputWriter()

        /// An empty script.
        public init() {}

        /// The encoded input.
        public var bytes: [UInt8] { writer.bytes }

        /// Op 0.
        public mutating func connection(_ a: UInt8) { op(.connection); writer.byte(a) }

        /// Op 1: `payload` as `command` from `role`; by default with a fetched challenge and the PIN written in.
        public mutating func sealed(
            _ role: LockSessionHarness.Role, _ command: Command, _ payload: [UInt8], fetch: Bool = true, patchChallenge: Bool = true,
            patchPIN: Bool = true, alternate: Bool = false
        ) {
            op(.sealedCommand)
            var flags = role.rawValue
            if fetch { flags |= 4 }
            if patchChallenge { flags |= 8 }
            if patchPIN { flags |= 0x10 }
            if alternate { flags |= 0x20 }
            writer.byte(flags)
            writer.u16(command.rawValue)
            writer.u16(UInt16(payload.count))
            writer.append(payload)
        }

        /// Op 1 with a message (its challenge and PIN are replaced by the harness).
        public mutating func sealed(_ role: LockSessionHarness.Role, _ message: NukiMessage, patchPIN: Bool = true) {
            sealed(role, message.command, message.encodedPayload(), patchPIN: patchPIN)
        }

        /// Op 2.
        public mutating func raw(_ a: UInt8, _ bytes: [UInt8]) {
            op(.rawWrite)
            writer.byte(a)
            writer.u16(UInt16(bytes.count))
            writer.append(bytes)
        }

        /// Op 3: `seconds` on the virtual clock.
        public mutating func wait(seconds: UInt16) { op(.clock); writer.byte(2); writer.u16(seconds) }

        /// Op 3: `minutes` on the virtual clock.
        public mutating func wait(minutes: UInt16) { op(.clock); writer.byte(3); writer.u16(minutes) }

        /// Op 4 with mode `mode` (0 back key, 1 stored code, 2 `code`, 3 wrong code).
        public mutating func keypad(mode: UInt8, action: KeypadLockAction, code: UInt32? = nil) {
            op(.keypad)
            writer.byte(mode)
            writer.byte(action.rawValue)
            if mode & 3 == 2 { writer.u32(code ?? 0) }
        }

        /// Op 5.
        public mutating func fob(_ press: UInt8) { op(.fobPress); writer.byte(press) }

        /// Op 6.
        public mutating func reboot() { op(.reboot) }

        /// Op 7.
        public mutating func revokeFob() { op(.revokeFob) }

        /// Op 8 as the app.
        public mutating func app(_ action: LockAction, flags: UInt8 = 0) { lockAction(action, role: .app, flags: flags) }

        /// Op 8.
        public mutating func lockAction(_ action: LockAction, role: LockSessionHarness.Role, flags: UInt8 = 0) {
            op(.lockAction)
            writer.byte(UInt8(LockSessionHarness.lockActions.firstIndex(of: action) ?? 0))
            writer.byte(flags << 2 | role.rawValue)
        }

        /// Op 10: motor fault `fault`.
        public mutating func motorFault(_ fault: MotorFault) {
            op(.motorFault)
            writer.byte(UInt8(MotorFault.allCases.firstIndex(of: fault) ?? 0))
        }

        /// Op 9: admin write `kind` (0–6) as `role`, with the right PIN unless `wrongPIN`.
        public mutating func admin(_ kind: UInt8, value: UInt8, role: LockSessionHarness.Role = .app, wrongPIN: Bool = false) {
            op(.adminWrite)
            writer.byte(kind << 3 | (wrongPIN ? 4 : 0) | role.rawValue)
            writer.byte(value)
        }

        mutating func op(_ operation: LockSessionHarness.Operation) { writer.byte(operation.rawValue) }
    }

    /// Seeds of ``FuzzTarget/lockSession`` (each at most ``LockSessionHarness/maxOperations`` ops): a
    /// day in the life of the lock (app, keypad, fob, reboot, revocation), a keypad lockout across a
    /// reboot, a PIN lockout, and one sealed command per documented client command from
    /// the app (and the fob's and keypad's own commands from them).
    public static func lockSession() -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        var day = SessionScript()
        day.app(.unlock)
        day.wait(seconds: 2)
        day.app(.lock)
        day.wait(seconds: 2)
        day.keypad(mode: 1, action: .unlock)
        day.wait(seconds: 2)
        day.keypad(mode: 0, action: .lock)
        day.wait(seconds: 2)
        day.fob(0)
        day.wait(seconds: 2)
        day.fob(1)
        day.wait(seconds: 2)
        day.reboot()
        day.app(.unlatch)
        day.wait(seconds: 5)
        day.app(.lockNGo)
        day.wait(seconds: 30)
        day.revokeFob()
        day.fob(0)
        seeds.append(day.bytes)

        var lockout = SessionScript()
        for _ in 0..<5 { lockout.keypad(mode: 3, action: .unlock) }
        lockout.keypad(mode: 1, action: .unlock)
        lockout.reboot()
        lockout.wait(seconds: 29)
        lockout.keypad(mode: 1, action: .unlock)
        lockout.wait(minutes: 1)
        lockout.keypad(mode: 1, action: .unlock)
        lockout.wait(seconds: 2)
        seeds.append(lockout.bytes)

        // S-08: a blocked motor mid-run; every client's lock action is refused until calibration.
        var fault = SessionScript()
        fault.app(.unlock)
        fault.motorFault(.motorBlocked)
        fault.app(.lock)
        fault.fob(0)
        fault.keypad(mode: 1, action: .unlock)
        fault.reboot()
        fault.sealed(.app, .requestCalibration(RequestCalibration(challenge: .zero, securityPIN: .u16(4321))))
        fault.wait(seconds: 10)
        fault.app(.unlock)
        fault.wait(seconds: 10)
        seeds.append(fault.bytes)

        var pin = SessionScript()
        for _ in 0..<4 {
            pin.sealed(.app, .verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(1111))), patchPIN: false)
        }
        pin.sealed(.app, .verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(1111))))
        pin.wait(minutes: 2)
        pin.sealed(.app, .verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(1111))))
        seeds.append(pin.bytes)

        var hostile = SessionScript()
        hostile.connection(0x09)
        hostile.sealed(.fob, .lockAction, LockActionRequest(action: .unlock, appID: 13, challenge: .zero).encoded())
        hostile.sealed(.keypad, .lockAction, LockActionRequest(action: .unlock, appID: 12, challenge: .zero).encoded())
        hostile.sealed(.stranger, .lockAction, LockActionRequest(action: .unlock, appID: 11, challenge: .zero).encoded())
        hostile.sealed(.app, .lockAction, LockActionRequest(action: .unlock, appID: 11, challenge: .zero).encoded(), patchChallenge: false)
        hostile.sealed(.app, .lockAction, LockActionRequest(action: .unlock, appID: 11, challenge: .zero).encoded(), alternate: true)
        hostile.raw(0x02, [UInt8](repeating: 0x41, count: 40))
        hostile.connection(0x05)
        hostile.lockAction(.unlock, role: .fob)
        hostile.lockAction(.unlatch, role: .keypad)
        hostile.admin(0, value: 2, role: .fob)
        hostile.admin(2, value: 1, role: .keypad)
        hostile.admin(5, value: 1, role: .app, wrongPIN: true)
        seeds.append(hostile.bytes)

        var admin = SessionScript()
        for kind: UInt8 in 0..<7 { admin.admin(kind, value: kind == 5 || kind == 6 ? 2 : 4) }
        admin.wait(minutes: 1_440)
        admin.keypad(mode: 1, action: .unlock)
        admin.reboot()
        seeds.append(admin.bytes)

        for sample in SeedCorpus.samplePayloads(context: .smartLock) {
            guard let rule = CommandAccess.rows[sample.command], rule != .notAClientCommand else { continue }
            var script = SessionScript()
            script.sealed(.app, sample.command, sample.payload)
            script.wait(seconds: 3)
            seeds.append(script.bytes)
            if sample.command == .lockAction || sample.command == .requestData {
                var fob = SessionScript()
                fob.sealed(.fob, sample.command, sample.payload)
                seeds.append(fob.bytes)
            }
            if sample.command == .keypadAction || sample.command == .requestData {
                var keypad = SessionScript()
                keypad.sealed(.keypad, sample.command, sample.payload)
                seeds.append(keypad.bytes)
            }
        }
        return seeds
    }

    /// Builds one ``PairingHarness`` input.
    public struct PairingScript {
        /// The input so far.
        public private(set) var writer = FuzzInputWriter()

        /// An empty script.
        public init() {}

        /// The encoded input.
        public var bytes: [UInt8] { writer.bytes }

        /// Op 5: the button held five seconds.
        public mutating func button(tenths: UInt8 = 50) { op(.button); writer.byte(tenths) }
        /// Op 0.
        public mutating func start(slot: UInt8, identity: UInt8) { op(.startPairing); writer.byte(identity << 1 | slot & 1) }
        /// Op 1, `count` times.
        public mutating func deliver(slot: UInt8, count: Int = 1) {
            for _ in 0..<count {
                op(.deliver)
                writer.byte(slot & 1)
            }
        }
        /// Op 2: xor one byte.
        public mutating func mutate(slot: UInt8, position: UInt16, value: UInt8) {
            op(.mutate)
            writer.byte(slot & 1)
            writer.u16(position)
            writer.byte(value)
        }
        /// Op 3.
        public mutating func drop(slot: UInt8) { op(.drop); writer.byte(slot & 1) }
        /// Op 4 to the pairing GDIO of connection 1 + `connection`.
        public mutating func raw(connection: UInt8, _ bytes: [UInt8]) {
            op(.rawWrite)
            writer.byte(connection % 3)
            writer.byte(UInt8(min(bytes.count, 255)))
            writer.append(bytes.prefix(255))
        }
        /// Op 6 in seconds.
        public mutating func wait(seconds: UInt16) { op(.clock); writer.byte(1); writer.u16(seconds) }
        /// Op 7.
        public mutating func disconnect(connection: UInt8) { op(.disconnect); writer.byte(connection) }

        mutating func op(_ operation: PairingHarness.Operation) { writer.byte(operation.rawValue) }
    }

    /// Seeds of ``FuzzTarget/pairingResponder``: complete pairings of every identity, a pairing
    /// without pairing mode, one that fills the user table, one that expires, two interleaved
    /// clients, tampered and dropped messages, and Set A's client messages as raw writes.
    public static func pairing(transcript: [String: [UInt8]]) -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        for identity in 0..<UInt8(PairingHarness.identities.count) {
            var s = PairingScript()
            s.button()
            s.start(slot: 0, identity: identity)
            s.deliver(slot: 0, count: 5)
            seeds.append(s.bytes)
        }
        var full = PairingScript()
        full.button()
        full.start(slot: 0, identity: 1)
        full.deliver(slot: 0, count: 5)
        full.start(slot: 1, identity: 2)
        full.deliver(slot: 1, count: 5)
        full.button()
        full.start(slot: 1, identity: 2)
        full.deliver(slot: 1, count: 5)
        full.button()
        full.start(slot: 0, identity: 0)
        full.deliver(slot: 0, count: 5)
        seeds.append(full.bytes)

        var interleaved = PairingScript()
        interleaved.button()
        interleaved.start(slot: 0, identity: 3)
        interleaved.start(slot: 1, identity: 4)
        for _ in 0..<5 {
            interleaved.deliver(slot: 1)
            interleaved.deliver(slot: 0)
        }
        seeds.append(interleaved.bytes)

        var expired = PairingScript()
        expired.button()
        expired.start(slot: 0, identity: 2)
        expired.deliver(slot: 0, count: 3)
        expired.wait(seconds: 301)
        expired.deliver(slot: 0, count: 2)
        seeds.append(expired.bytes)

        for position: UInt16 in [0, 2, 10, 40] {
            var tampered = PairingScript()
            tampered.button()
            tampered.start(slot: 0, identity: 1)
            tampered.deliver(slot: 0, count: 2)
            tampered.mutate(slot: 0, position: position, value: 0x01)
            tampered.deliver(slot: 0, count: 2)
            seeds.append(tampered.bytes)
        }
        var dropped = PairingScript()
        dropped.button()
        dropped.start(slot: 0, identity: 1)
        dropped.deliver(slot: 0, count: 2)
        dropped.drop(slot: 0)
        dropped.deliver(slot: 0, count: 2)
        dropped.disconnect(connection: 0)
        seeds.append(dropped.bytes)

        var setA = PairingScript()
        setA.button()
        for key in ["request_public_key_message", "client_public_key_message", "authorization_authenticator_message",
                    "authorization_data_message", "authorization_id_confirmation_message"]
        {
            if let message = transcript[key] { setA.raw(connection: 2, message) }
        }
        seeds.append(setA.bytes)
        return seeds
    }

    /// Seeds of ``FuzzTarget/stateFile``: the state file of the session fixture and of the engine
    /// each ``lockSession()`` seed ends with (users, a revoked fob, keypad codes, lockouts, time control,
    /// config, a running motor, logs).
    public static func stateFiles() -> [[UInt8]] {
        var files: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var engines: [LockSessionEngine] = []
        if let fixture = SessionFixture.shared {
            engines.append(fixture.makeEngine(random: SeededRandomSource(seed: 1)))
        }
        for seed in lockSession() {
            if let engine = LockSessionHarness.run(seed[...]).engine { engines.append(engine) }
        }
        for engine in engines {
            guard let data = try? LockStateFile.encode(engine) else { continue }
            let bytes = [UInt8](data)
            if seen.insert(bytes).inserted { files.append(bytes) }
        }
        return files
    }
}
