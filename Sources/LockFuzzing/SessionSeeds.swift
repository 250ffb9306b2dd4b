import Foundation
import LockCore
import LockCrypto
import LockHost
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

        /// Whether the input starts from the lock whose clock was never set (bit 7 of its first byte).
        let clockNeverSet: Bool

        /// An empty script; with `clockNeverSet`, its first op byte gets bit 7: the input runs on the
        /// fixture's lock whose clock was never set (``LockSessionHarness``, AU-09).
        public init(clockNeverSet: Bool = false) { self.clockNeverSet = clockNeverSet }

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

        /// Op 16: the app updates the keypad code `index` (of the codes the model knows, in id order):
        /// enabled or not, restriction `selector` with `w` (``LockSessionHarness`` op table).
        public mutating func updateCode(_ index: UInt8, enabled: Bool, selector: UInt8 = 0, w: UInt8 = 0) {
            op(.updateCode); writer.byte(index); writer.byte(selector << 1 | (enabled ? 1 : 0)); writer.byte(w)
        }

        /// Op 17: the app updates the keypad's (0), fob's (1) or its own (2) authorization.
        public mutating func updateAuthorization(_ target: UInt8, enabled: Bool, selector: UInt8 = 0, w: UInt8 = 0) {
            op(.updateAuthorization); writer.byte(target); writer.byte(selector << 1 | (enabled ? 1 : 0)); writer.byte(w)
        }

        /// Op 18: an NFC tap of the fob's card at the keypad; `counter` 0 next, 1 the last one again,
        /// 2 one below the last; `forged` changes one late authenticator byte.
        public mutating func nfcTap(counter: UInt8 = 0, forged: Bool = false, step: UInt8 = 0) {
            op(.nfcTap); writer.byte(counter << 4 | (forged ? 2 : 0)); writer.byte(step)
        }

        /// Op 19: replays the `index`-th frame sent so far (bit 7: on connection 4).
        public mutating func replay(_ index: UInt8) { op(.replay); writer.byte(index) }

        /// Op 20: a tampered frame from `role`: `mode` 0 a late MAC byte, 1 a late ciphertext byte, 2 a
        /// wrong CRC under a good MAC, 3 inner and clear auth ids that differ.
        public mutating func tamper(_ role: LockSessionHarness.Role, mode: UInt8, detail: UInt8 = 0) {
            op(.tamper); writer.byte(role.rawValue); writer.byte(detail << 2 | mode)
        }

        /// Op 21: the clock runs to the next edge `m` (local minute of the day, offset).
        public mutating func clockEdge(_ m: UInt8) { op(.clockEdge); writer.byte(m) }

        /// Op 22: the app sets the lock's clock to time `t` of the table (DST edges).
        public mutating func setLockTime(_ t: UInt8) { op(.setLockTime); writer.byte(t) }

        /// Op 23: Verify Security PIN as `role` with the right PIN or a wrong one.
        public mutating func pinAttempt(right: Bool, role: LockSessionHarness.Role = .app, lateByte: Bool = false) {
            op(.pinAttempt); writer.byte((lateByte ? 0x80 : 0) | role.rawValue << 1 | (right ? 0 : 1))
        }

        /// Op 24: the app adds keypad code `v` with restriction `v >> 3` and `w`.
        public mutating func addCode(_ v: UInt8, w: UInt8 = 0) { op(.addCode); writer.byte(v); writer.byte(w) }

        mutating func op(_ operation: LockSessionHarness.Operation) {
            writer.byte(operation.rawValue | (clockNeverSet && writer.bytes.isEmpty ? 0x80 : 0))
        }
    }

    /// Seeds of the reference model's operations (``AccessModel``): disabled codes and
    /// authorizations, weekday and daily windows, NFC counters, replays, tampered frames, PIN and
    /// keypad lockouts, DST edges, a lock whose clock was never set.
    public static func modelSeeds() -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        var disabled = SessionScript()
        disabled.updateCode(0, enabled: false)
        disabled.keypad(mode: 1, action: .unlock)
        disabled.updateCode(0, enabled: true)
        disabled.keypad(mode: 1, action: .unlock)
        disabled.wait(seconds: 5)
        disabled.updateAuthorization(1, enabled: false)
        disabled.fob(0)
        disabled.nfcTap()
        disabled.updateAuthorization(1, enabled: true)
        disabled.fob(0)
        disabled.updateAuthorization(0, enabled: false)
        disabled.keypad(mode: 1, action: .unlock)
        seeds.append(disabled.bytes)

        // 2025-11-30 is a Sunday: a Monday-only code is refused, then opens after midnight.
        var weekday = SessionScript()
        weekday.updateCode(0, enabled: true, selector: 2, w: 0)
        weekday.keypad(mode: 1, action: .unlock)
        weekday.clockEdge(0x10)
        weekday.keypad(mode: 1, action: .unlock)
        weekday.wait(seconds: 5)
        weekday.updateAuthorization(1, enabled: true, selector: 3, w: 0x7F)
        weekday.clockEdge(8)
        weekday.fob(0)
        weekday.clockEdge(7)
        weekday.fob(0)
        weekday.addCode(0x18, w: 0x40)
        weekday.keypad(mode: 2, action: .unlock, code: 135_792)
        seeds.append(weekday.bytes)

        var nfc = SessionScript()
        nfc.nfcTap()
        nfc.wait(seconds: 5)
        nfc.nfcTap(counter: 1)
        nfc.nfcTap(counter: 2)
        nfc.reboot()  // the highest counter survives the state file (NFCCounterBook's coding)
        nfc.nfcTap(counter: 1)
        nfc.nfcTap(forged: true)
        nfc.nfcTap()
        nfc.wait(seconds: 5)
        nfc.revokeFob()
        nfc.nfcTap()
        seeds.append(nfc.bytes)

        var replay = SessionScript()
        replay.app(.unlock)
        replay.wait(seconds: 5)
        replay.replay(1)
        replay.replay(0x81)
        replay.keypad(mode: 1, action: .lock)
        replay.replay(3)
        replay.fob(0)
        replay.replay(5)
        seeds.append(replay.bytes)

        for role in [LockSessionHarness.Role.app, .keypad, .fob] {
            var tampered = SessionScript()
            for mode: UInt8 in 0..<4 { tampered.tamper(role, mode: mode) }
            tampered.tamper(role, mode: 0, detail: 7)
            tampered.tamper(role, mode: 3, detail: 1)
            tampered.lockAction(role == .fob ? .fobAction1 : .unlock, role: role)
            seeds.append(tampered.bytes)
        }

        var pin = SessionScript()
        for _ in 0..<3 { pin.pinAttempt(right: false) }
        pin.pinAttempt(right: true)
        pin.wait(seconds: 31)
        pin.pinAttempt(right: true)
        pin.pinAttempt(right: false, role: .keypad)
        pin.pinAttempt(right: false, lateByte: true)
        pin.pinAttempt(right: true)
        seeds.append(pin.bytes)

        var lockout = SessionScript()
        for _ in 0..<4 { lockout.keypad(mode: 3, action: .unlock) }
        lockout.keypad(mode: 1, action: .unlock)
        lockout.wait(seconds: 5)
        for _ in 0..<5 { lockout.keypad(mode: 3, action: .unlock) }
        lockout.keypad(mode: 1, action: .unlock)
        lockout.wait(seconds: 31)
        lockout.keypad(mode: 1, action: .unlock)
        seeds.append(lockout.bytes)

        var dst = SessionScript()
        dst.setLockTime(2)
        dst.updateAuthorization(1, enabled: true, selector: 5)
        dst.fob(0)
        dst.wait(minutes: 31)
        dst.fob(0)
        dst.setLockTime(0)
        dst.wait(seconds: 3)
        dst.fob(0)
        dst.clockEdge(0x15)
        dst.fob(0)
        dst.updateCode(0, enabled: true, selector: 4, w: 2)
        dst.clockEdge(9)
        dst.keypad(mode: 1, action: .unlock)
        seeds.append(dst.bytes)

        // A lock whose clock was never set: the keypad code's daily 09:00–17:00 window and the fob's
        // every-day right fail closed until the app sends Update Time (AU-09); then the clock judges
        // them: 2026-06-01 07:59:59 UTC is 08:59:59 local (EU summer time), the fob opens, the code
        // opens once the window has begun.
        var neverSet = SessionScript(clockNeverSet: true)
        neverSet.updateCode(0, enabled: true, selector: 3, w: 0x7F)
        neverSet.keypad(mode: 1, action: .unlock)
        neverSet.updateAuthorization(1, enabled: true, selector: 1, w: 0x7F)
        neverSet.fob(0)
        neverSet.setLockTime(4)
        neverSet.fob(0)
        neverSet.wait(seconds: 5)
        neverSet.keypad(mode: 1, action: .unlock)
        seeds.append(neverSet.bytes)
        return seeds
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

        /// Whether the input starts from the lock whose clock was never set (bit 7 of its first byte).
        let clockNeverSet: Bool

        /// An empty script; with `clockNeverSet`, its first op byte gets bit 7: the input runs on the
        /// fixture's lock whose clock was never set (``LockSessionHarness``, AU-09).
        public init(clockNeverSet: Bool = false) { self.clockNeverSet = clockNeverSet }

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
        public mutating func mutate(slot: UInt8, position: UInt16, value: UInt8, lateByteFixingCRC: Bool = false) {
            op(.mutate)
            writer.byte((lateByteFixingCRC ? 0x0C : 0) | slot & 1)
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
        // The Authorization Authenticator wrong in one late byte, the CRC fixed up: it still parses,
        // so only the authenticator compare can refuse it.
        for position: UInt16 in [0, 5] {
            var late = PairingScript()
            late.button()
            late.start(slot: 0, identity: 1)
            late.deliver(slot: 0, count: 2)
            late.mutate(slot: 0, position: position, value: 0x01, lateByteFixingCRC: true)
            late.deliver(slot: 0, count: 2)
            seeds.append(late.bytes)
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
