import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire
import NukiProfile
import Testing

/// A lock and one client in memory on the injected clock, with a link that can lose the lock's
/// Status COMPLETE (or everything after ACCEPTED) on its way to the client, and a record of every
/// encrypted request the client wrote, decrypted.
struct LossyLink<P: EmulatedPeripheral> {
    var lock: LockSessionEngine
    var peripheral: P
    let connection = ConnectionID(1)
    var now: LockInstant
    /// Drops every encrypted Status COMPLETE to the client.
    var dropComplete = false
    /// Drops every encrypted message to the client after the first ACCEPTED (the lock goes silent).
    var silentAfterAccepted = false
    var feedback: [PeripheralFeedback] = []
    /// The client's encrypted requests, e.g. `REQUEST_DATA(CHALLENGE)`, `LOCK_ACTION`.
    var sent: [String] = []
    var droppedCompletes = 0
    private var acceptedSeen = false

    init(lock: LockSessionEngine, peripheral: P, now: LockInstant) {
        self.lock = lock
        self.peripheral = peripheral
        self.now = now
    }

    var key: SharedKey? { peripheral.credentials?.sharedKey }

    func decode(_ frame: [UInt8]) -> NukiMessage? {
        guard let key, let plain = try? EncryptedMessageCodec.open(frame, key: { _ in key }) else { return nil }
        return try? NukiMessage.decode(command: plain.command, payload: plain.payload)
    }

    /// Whether the lock's message `frame` reaches the client.
    mutating func passes(_ frame: [UInt8], on characteristic: Characteristic) -> Bool {
        guard characteristic == .keyturnerUSDIO, let message = decode(frame) else { return true }
        if silentAfterAccepted, acceptedSeen { return false }
        if message == .status(Status(.accepted)) { acceptedSeen = true }
        if dropComplete, message == .status(Status(.complete)) {
            droppedCompletes += 1
            return false
        }
        return true
    }

    mutating func deliver(_ replies: [LockSessionEngine.Action]) -> [PeripheralAction] {
        var out: [PeripheralAction] = []
        for case .indicate(let id, let c, let bytes) in replies where id == connection && passes(bytes, on: c) {
            out += peripheral.receive(bytes, on: c, at: now)
        }
        return out
    }

    mutating func run(_ actions: [PeripheralAction]) {
        var pending = actions
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .feedback(let f): feedback.append(f)
            case .readCard: break
            case .write(let c, let bytes):
                if c == .keyturnerUSDIO, let message = decode(bytes) {
                    if case .requestData(let r) = message {
                        sent.append("REQUEST_DATA(\(r.requestedCommand.name ?? "?"))")
                    } else {
                        sent.append(message.command.name ?? "?")
                    }
                }
                pending += deliver(lock.receive(bytes, on: c, from: connection, at: now))
            }
        }
    }

    /// Moves the clock to `start + ms`: the lock's motor, then the client's timers.
    mutating func advance(to instant: LockInstant) {
        now = instant
        let replies = deliver(lock.advance(to: now))
        run(replies + peripheral.tick(at: now))
    }

    mutating func takeFeedback() -> [PeripheralFeedback] {
        defer { feedback = [] }
        return feedback
    }
}

/// After a lost Status COMPLETE the fob, the keypad and the phone read the state back and report
/// what the lock did, never sending the action again (issue 18; docs/wire.md §4.1, §13).
@Suite struct LostCompleteTests {
    static let start = LockInstant(secondsSince1970: 1_772_442_000)  // Monday 2026-03-02 09:00 UTC

    /// A Smart Lock 3.0 with 1 s motor steps, locked, in pairing mode.
    static func lock() throws -> LockSessionEngine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 1000
        var machine = LockMachine(model: model, nukiID: 7, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: .u16(4321))
        try machine.setClock(to: start.utcDateTime, at: start)
        let random = SeededRandomSource(seed: 42)
        var engine = LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID([UInt8](repeating: 9, count: 16))!, random: random)
        _ = engine.pressButton(heldMilliseconds: 5_000, at: start)
        return engine
    }

    static func paired<P: EmulatedPeripheral>(_ peripheral: P) throws -> LossyLink<P> {
        var link = LossyLink(lock: try lock(), peripheral: peripheral, now: start)
        link.run(link.peripheral.pair())
        guard case .paired? = link.takeFeedback().first else {
            Issue.record("pairing failed")
            return link
        }
        #expect(link.lock.machine.lockState == .locked)
        return link
    }

    static func fob() throws -> FobEmulator {
        FobEmulator(fobID: 0xF0B, keyPair: try KeyPair(using: SeededRandomSource(seed: 7)), random: SeededRandomSource(seed: 8))
    }

    /// Fob action 1 (intelligent: unlock): ACCEPTED at 0, unlocking 1 s, unlocked 2 s, COMPLETE lost.
    /// Nothing is written until 10 s after the last reply; at 12 s exactly one Request
    /// Data(Keyturner States), and the fob reports the state read back.
    @Test func fobReadsTheStateBackTenSecondsAfterTheLastReplyAndNeverRetries() throws {
        var link = try Self.paired(try Self.fob())
        link.dropComplete = true
        link.run(link.peripheral.press(count: 1, at: link.now))
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION"])
        link.advance(to: Self.start.adding(milliseconds: 1_000))
        link.advance(to: Self.start.adding(milliseconds: 2_000))
        #expect(link.droppedCompletes == 1)
        #expect(link.lock.machine.lockState == .unlocked)
        link.advance(to: Self.start.adding(milliseconds: 11_999))
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION"])
        #expect(link.takeFeedback().isEmpty)
        link.advance(to: Self.start.adding(milliseconds: 12_000))
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION", "REQUEST_DATA(KEYTURNER_STATES)"])
        let feedback = link.takeFeedback()
        #expect(feedback == [.readBack(.lockAction, lockState: .unlocked)])
        #expect(Demo.text(try #require(feedback.first)) == "unlocked (COMPLETE not received; state read back)")
        // One lock action happened and was logged once; the fob is free for the next press.
        #expect(link.lock.machine.log.entries.filter { if case .lockAction = $0.event { true } else { false } }.count == 1)
        link.dropComplete = false
        link.run(link.peripheral.press(count: 1, at: link.now))
        link.advance(to: Self.start.adding(milliseconds: 14_000))
        #expect(link.takeFeedback() == [.accepted(.lockAction)])
        #expect(link.sent.suffix(2) == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION"])
    }

    /// The keypad's lock key (Keypad Action, back key): locking, locked, COMPLETE lost.
    @Test func keypadReadsTheStateBack() throws {
        var link = try Self.paired(KeypadEmulator(keypadID: 0x4B50, keyPair: try KeyPair(using: SeededRandomSource(seed: 5)), random: SeededRandomSource(seed: 6)))
        link.dropComplete = true
        link.run(link.peripheral.press(.lock, at: link.now))
        for ms in stride(from: Int64(1_000), through: 12_000, by: 1_000) { link.advance(to: Self.start.adding(milliseconds: ms)) }
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "KEYPAD_ACTION", "REQUEST_DATA(KEYTURNER_STATES)"])
        #expect(link.takeFeedback() == [.readBack(.keypadAction, lockState: .locked)])
    }

    /// The phone's unlatch: unlatching 1 s, unlatched 2 s (held 3 s), unlocked 5 s, COMPLETE lost;
    /// the grace is the phone's `--complete-timeout` (here 4 s): read back at 9 s.
    @Test func phoneReadsTheStateBackAfterItsOwnGrace() throws {
        var link = try Self.paired(AdminClient(appID: 0xA11, keyPair: try KeyPair(using: SeededRandomSource(seed: 3)), random: SeededRandomSource(seed: 4)))
        link.peripheral.completeGraceMilliseconds = 4_000
        link.dropComplete = true
        link.run(link.peripheral.send(.lockAction(.unlatch, appID: 0xA11)))
        for ms in stride(from: Int64(1_000), through: 8_000, by: 1_000) { link.advance(to: Self.start.adding(milliseconds: ms)) }
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION"], "the unlatch hold (3 s) is shorter than the grace")
        link.advance(to: Self.start.adding(milliseconds: 9_000))
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION", "REQUEST_DATA(KEYTURNER_STATES)"])
        #expect(link.takeFeedback() == [.readBack(.lockAction, lockState: .unlocked)])
        guard case .keyturnerStates(let states)? = link.peripheral.lastReplies.last else {
            Issue.record("the replies end with the state read back: \(link.peripheral.lastReplies)")
            return
        }
        #expect(states.lockState == .unlocked)
        #expect(link.peripheral.lastReplies.first == .status(Status(.accepted)))
    }

    /// A lock that goes silent after ACCEPTED: the read-back gets no answer either, and after a
    /// second grace the request fails with noAnswer; still exactly one Lock Action.
    @Test func aSilentLockFailsWithNoAnswerAfterTheReadBack() throws {
        var link = try Self.paired(try Self.fob())
        link.silentAfterAccepted = true
        link.run(link.peripheral.press(count: 1, at: link.now))
        link.advance(to: Self.start.adding(milliseconds: 10_000))
        #expect(link.sent.last == "REQUEST_DATA(KEYTURNER_STATES)")
        link.advance(to: Self.start.adding(milliseconds: 19_999))
        #expect(link.takeFeedback().isEmpty)
        link.advance(to: Self.start.adding(milliseconds: 20_000))
        let feedback = link.takeFeedback()
        guard case .failed(let error)? = feedback.first else {
            Issue.record("expected a failure, got \(feedback)")
            return
        }
        #expect(error.code == .noAnswer)
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION", "REQUEST_DATA(KEYTURNER_STATES)"])
    }

    /// Lock'n'go (fob action 3 of the default Config): COMPLETE arrives at 2 s, before the 20 s
    /// hold, so nothing is read back although the relock's state updates come 20 s later.
    @Test func lockNGoCompletesBeforeItsHoldAndNeedsNoReadBack() throws {
        var link = try Self.paired(try Self.fob())
        link.run(link.peripheral.press(count: 3, at: link.now))
        link.advance(to: Self.start.adding(milliseconds: 1_000))
        link.advance(to: Self.start.adding(milliseconds: 2_000))
        #expect(link.takeFeedback() == [.accepted(.lockAction)])
        for ms in stride(from: Int64(3_000), through: 40_000, by: 1_000) { link.advance(to: Self.start.adding(milliseconds: ms)) }
        #expect(link.sent == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION"])
        #expect(link.takeFeedback().isEmpty)
        #expect(link.lock.machine.lockState == .locked)
    }
}
