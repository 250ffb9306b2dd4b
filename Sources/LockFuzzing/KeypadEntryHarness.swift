import LockCore
import LockDriver
import LockCrypto
import LockPeripherals
import LockSession
import LockWire

/// Target 8: the keypad entry model. An emulated keypad (``LockPeripherals/KeypadEmulator``, paired
/// as the fixture's keypad) is typed on, and its writes go to the fixture's lock
/// (``SessionFixture``: code 246813 stored), with the lock's indications fed back; time is virtual.
///
/// Input shape: up to ``maxOperations`` operation bytes `op`:
/// - `op & 0x03 == 0`: digit key `(op >> 2) % 10` (0 is not a key: ignored), 200 ms after the last op;
/// - `op & 0x03 == 1`: the lock key, 200 ms later;
/// - `op & 0x03 == 2`: time passes, `(op >> 2) × 500` ms, and 31 minutes when `op >> 2` is 63
///   (past the longest lockout tier, `KeypadLockout`);
/// - `op & 0x03 == 3`: the stored code typed, six keys 200 ms apart.
/// Before each key the lock is advanced to the current instant and its indications delivered.
///
/// Oracle: the reference model (``AccessModel``, started from ``SessionFixture/initialModel``), never
/// the lock's own state. Every encrypted frame the keypad writes is opened with the keypad's key,
/// described to the model, and the model predicts the lock's answer before the lock sees it:
/// Request Data(Challenge) answered, a Keypad Action with the stored code granted (never refused
/// with an access error), an unknown code refused with K_ERROR_CODE_INVALID (0x2B) and every fifth
/// consecutive one with the tier's code (0x2C, 0x2D, 0x2E), every code during a lockout refused
/// with the tier's code, a used or wrong challenge 0x22. Any other answer is `model-<rule>`
/// (`model-keypad-wrong-code`, `model-keypad-lockout`, `model-keypad-code-opens`, …).
///
/// Invariants (source: `docs/wire.md` §7, Keypad Action 0x0044 and the K_ERROR_CODE_INVALID tiers):
/// - `model-<rule>`: the lock's answer to each keypad frame is the model's (above), positive rules
///   ("the fifth wrong code starts a lockout: 0x2C", "the stored code outside a lockout is
///   granted") as well as negative ones ("no code opens during a lockout");
/// - `code-digits`: a code the keypad sends has six digits 1–9;
/// - `keypad-recovers`: after the input and 31 more minutes, the lock key is not refused with
///   "a request is in progress" (the keypad never stays stuck waiting for the lock);
/// - `keypad-exchange-ends`: the keypad and the lock stop answering each other within
///   ``LockDriver/PDUDriver/roundLimit`` rounds.
public enum KeypadEntryHarness {
    /// Operations read from one input at most.
    public static let maxOperations = 96
    static let connection = ConnectionID(7)

    /// Checks one input; nil when every invariant holds (or when the fixture cannot be built). Never traps.
    public static func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        replay(input).violation
    }

    /// Runs one input and returns the first broken invariant and the keypad's feedback up to it, in
    /// order (for tests and for reading a crash). Never traps.
    public static func replay(_ input: ArraySlice<UInt8>) -> (violation: InvariantViolation?, feedback: [PeripheralFeedback]) {
        guard let fixture = SessionFixture.shared, let key = fixture.clientKey(fixture.keypadAuthID) else { return (nil, []) }
        var run = Run(fixture: fixture, key: key)
        let violation = run.play(input)
        return (violation, run.feedback)
    }
}

extension KeypadEntryHarness.Run {
    /// Plays `input` (the operations described on ``KeypadEntryHarness``) and the final recovery check.
    mutating func play(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        for op in input.prefix(KeypadEntryHarness.maxOperations) {
            let violation: InvariantViolation?
            switch op & 0x03 {
            case 0: violation = press(.digit((op >> 2) % 10), after: 200)
            case 1: violation = press(.lock, after: 200)
            case 2:
                now = now.adding(milliseconds: op >> 2 == 63 ? 31 * 60_000 : Int64(op >> 2) * 500)
                violation = settle()
            default:
                var found: InvariantViolation?
                for digit in String(SessionFixture.keypadCode).compactMap(\.wholeNumberValue) where found == nil {
                    found = press(.digit(UInt8(truncatingIfNeeded: digit)), after: 200)
                }
                violation = found
            }
            if let violation { return violation }
        }
        now = now.adding(milliseconds: 31 * 60_000)
        if let v = settle() { return v }
        let mark = feedback.count
        if let v = press(.lock, after: 0) { return v }
        let stuck = feedback[mark...].contains { if case .ignored(let reason) = $0 { reason.contains("in progress") } else { false } }
        return Invariant.holds("keypad-recovers", !stuck, "the lock key is still ignored 31 minutes after the last key")
    }
}

extension KeypadEntryHarness {

    /// One input's lock, keypad and clock.
    struct Run {
        var lock: LockSessionEngine
        var keypad: KeypadEmulator
        let key: SharedKey
        let authID: UInt32
        var now = SessionFixture.start
        var feedback: [PeripheralFeedback] = []
        /// The reference model: what the lock must answer to each keypad frame.
        var model: AccessModel

        init(fixture: SessionFixture, key: SharedKey) {
            lock = fixture.makeEngine(random: SeededRandomSource(seed: 0x4B45_5950_4144_0001))
            lock.weaknesses = SessionFixture.plantedWeaknesses
            let random = SeededRandomSource(seed: 0x4B45_5950_4144_0002)
            let credentials = ClientCredentials(
                authID: fixture.keypadAuthID, sharedKey: key, lockPublicKey: fixture.lockKeyPair.publicKey, lockUUID: fixture.lockUUID)
            // The keypad's own key pair only matters for pairing, which this target does not do.
            keypad = KeypadEmulator(keypadID: SessionFixture.keypadClientID, keyPair: fixture.lockKeyPair, random: random, credentials: credentials)
            self.key = key
            authID = fixture.keypadAuthID
            _ = lock.connect(KeypadEntryHarness.connection)
            model = fixture.initialModel
            model.connect(KeypadEntryHarness.connection.rawValue)
        }

        /// Advances the lock to `now` and delivers its indications.
        mutating func settle() -> InvariantViolation? {
            var replies: [PeripheralAction] = []
            for action in lock.advance(to: now) {
                if case .indicate(let id, let characteristic, let bytes) = action, id == KeypadEntryHarness.connection {
                    replies += keypad.receive(bytes, on: characteristic, at: now)
                }
            }
            return deliver(replies)
        }

        /// One key `milliseconds` after the last operation.
        mutating func press(_ key: KeypadKey, after milliseconds: Int64) -> InvariantViolation? {
            now = now.adding(milliseconds: milliseconds)
            if let v = settle() { return v }
            return deliver(keypad.press(key, at: now))
        }

        /// Sends the keypad's writes to the lock and its replies back until both are quiet
        /// (``LockDriver/PDUDriver``), judging every encrypted write by the reference model before the
        /// lock sees it.
        mutating func deliver(_ start: [PeripheralAction]) -> InvariantViolation? {
            var pending = start
            var violation: InvariantViolation?
            do {
                try PDUDriver.run("the keypad's exchange") { deliverRound(&pending, &violation) }
            } catch {
                return InvariantViolation("keypad-exchange-ends", "\(error)")
            }
            return violation
        }

        /// One round of ``deliver(_:)``: false when nothing was pending or an invariant broke.
        mutating func deliverRound(_ pending: inout [PeripheralAction], _ violation: inout InvariantViolation?) -> Bool {
            guard !pending.isEmpty else { return false }
            var next: [PeripheralAction] = []
            for action in pending {
                switch action {
                case .feedback(let item):
                    feedback.append(item)
                case .readCard:
                    break
                case .write(let characteristic, let bytes):
                    if let request = keypadAction(in: bytes), let v = checkDigits(request) {
                        violation = v
                        return false
                    }
                    let frame = characteristic == .keyturnerUSDIO ? describe(bytes) : nil
                    let prediction = frame.map { model.receive($0, on: KeypadEntryHarness.connection.rawValue, at: now) }
                    let actions = lock.receive(bytes, on: characteristic, from: KeypadEntryHarness.connection, at: now)
                    if let frame, let prediction, let v = confirm(prediction, frame: frame, actions: actions) {
                        violation = v
                        return false
                    }
                    for reply in actions {
                        if case .indicate(let id, let c, let b) = reply, id == KeypadEntryHarness.connection {
                            next += keypad.receive(b, on: c, at: now)
                        }
                    }
                }
            }
            pending = next
            return true
        }

        /// The Keypad Action with a code in a keypad write, if it is one.
        func keypadAction(in frame: [UInt8]) -> KeypadActionRequest? {
            guard let plaintext = try? EncryptedMessageCodec.open(frame, key: { $0 == authID ? key : nil }),
                  plaintext.command == .keypadAction,
                  case .keypadAction(let request)? = try? NukiMessage.decode(command: .keypadAction, payload: plaintext.payload),
                  request.source == .code else { return nil }
            return request
        }

        /// `code-digits`: the keypad sends six digits 1–9.
        func checkDigits(_ request: KeypadActionRequest) -> InvariantViolation? {
            let digits = String(request.code)
            return Invariant.holds("code-digits", digits.count == 6 && !digits.contains("0"), "code \(request.code) sent")
        }

        /// The model's description of a keypad write to USDIO: opened with the keypad's key (the
        /// client's side, as ``LockSessionHarness`` classifies raw writes).
        func describe(_ bytes: [UInt8]) -> AccessModel.Frame {
            let clear = bytes.count >= 28 ? UInt32(bytes[24]) | UInt32(bytes[25]) << 8 | UInt32(bytes[26]) << 16 | UInt32(bytes[27]) << 24 : authID
            let keyOf: UInt32? = clear == authID ? authID : nil
            guard let plaintext = try? EncryptedMessageCodec.open(bytes, checks: [], key: { $0 == authID ? key : nil }) else {
                var frame = AccessModel.Frame(clearAuthID: clear, keyOf: keyOf, innerAuthID: clear, command: Command(rawValue: 0), message: nil)
                frame.intact = false
                return frame
            }
            var frame = AccessModel.Frame(
                clearAuthID: clear, keyOf: keyOf, innerAuthID: plaintext.authID, command: plaintext.command,
                message: try? NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: lock.machine.model.wireContext))
            frame.crcValid = (try? EncryptedMessageCodec.open(bytes, checks: [.crc], key: { $0 == authID ? key : nil })) != nil
            return frame
        }

        /// The lock's answer against the model's prediction (`model-<rule>`).
        mutating func confirm(_ pending: AccessModel.Pending, frame: AccessModel.Frame, actions: [LockSessionEngine.Action]) -> InvariantViolation? {
            let observed = ModelObservation(
                actions, connection: KeypadEntryHarness.connection, authID: authID, key: key, context: lock.machine.model.wireContext)
            guard let (rule, reason) = model.confirm(pending, outcome: observed.outcome, nonce: observed.nonce, codeID: observed.codeID) else {
                return nil
            }
            let what = frame.message.map { message -> String in
                if case .keypadAction(let r) = message { return "Keypad Action \(r.source) code \(r.code)" }
                return "\(message.command)"
            } ?? "\(frame.command)"
            return InvariantViolation("model-\(rule)", "\(what) at \(now): \(reason)")
        }
    }

    /// Seeds: the stored code typed once; a wrong code then the right one; five, ten and fifteen wrong
    /// codes (each lockout tier) with the right code during and after the lockout; slow typing past the
    /// 5 s key timeout; the lock key; digit 0.
    public static func seeds() -> [[UInt8]] {
        let code: UInt8 = 0x03
        let wrong: [UInt8] = [1, 1, 1, 1, 1, 1].map { $0 << 2 }
        let slow: [UInt8] = [2 << 2, 4 << 2, 6 << 2, 0xFE, 8 << 2, 1 << 2, 3 << 2]
        let after31Minutes: UInt8 = 0xFE
        func times(_ n: Int, _ bytes: [UInt8]) -> [UInt8] { (0..<n).flatMap { _ in bytes } }
        return [
            [code],
            wrong + [code],
            times(5, wrong) + [code] + [after31Minutes, code],
            times(10, wrong) + [code, 0x3E, code] + [after31Minutes, code],
            times(15, wrong) + [code] + [after31Minutes, code],
            slow + [code],
            [0x01, code, 0x01],
            [0x00, 0x00] + wrong + [code],
        ]
    }
}
