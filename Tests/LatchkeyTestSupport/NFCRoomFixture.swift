import LockCore
import LockCrypto
import LockEmulator
import LockNFC
import LockPeripherals
import LockSession
import LockWire

/// A lock with an admin phone, a keypad and a fob, all paired through the real pairing flow, in one
/// ``LockEmulator/InProcessRoom`` on a virtual clock (Monday 2026-03-02 09:00 UTC), motor step 0.
/// Shared by the NFC tests of LockEmulatorTests, SecurityRegressionTests and LibNFCTransportTests.
public struct NFCRoomFixture {
    public static let start = LockInstant(secondsSince1970: 1_772_442_000)
    public static let pin = SecurityPIN.u16(4321)
    public var room: InProcessRoom

    /// - Parameters:
    ///   - timeBudgetMilliseconds: the lock's NFC time budget (nil: none).
    ///   - start: the virtual clock's start (the wall clock when the engine moves to a real server).
    public init(timeBudgetMilliseconds: Int64? = nil, start: LockInstant = NFCRoomFixture.start) throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var machine = LockMachine(model: model, nukiID: 7, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: Self.pin)
        try machine.setClock(to: start.utcDateTime, at: start)
        machine.nfcTimeBudgetMilliseconds = timeBudgetMilliseconds
        let random = SeededRandomSource(seed: 42)
        let engine = LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID([UInt8](repeating: 9, count: 16)) ?? .zero, random: random)
        room = InProcessRoom(lock: engine, now: start)
        room.add("phone", .app(AdminClient(appID: 0x0A11, keyPair: try KeyPair(using: SeededRandomSource(seed: 1)), random: SeededRandomSource(seed: 11))))
        room.add("keypad", .keypad(KeypadEmulator(keypadID: 0x4B50, keyPair: try KeyPair(using: SeededRandomSource(seed: 2)), random: SeededRandomSource(seed: 12))))
        room.add("fob", .fob(FobEmulator(fobID: 0x0F0B, keyPair: try KeyPair(using: SeededRandomSource(seed: 3)), random: SeededRandomSource(seed: 13))))
        for name in ["phone", "keypad", "fob"] { pair(name) }
        _ = room.drain()
    }

    /// Holds the lock's button, then pairs `name`.
    public mutating func pair(_ name: String) {
        room.route(room.lock.pressButton(heldMilliseconds: 5_000, at: room.now))
        room.act(name) { device, _ in
            switch device {
            case .app(var d): defer { device = .app(d) }; return d.pair()
            case .keypad(var d): defer { device = .keypad(d) }; return d.pair()
            case .fob(var d): defer { device = .fob(d) }; return d.pair()
            }
        }
    }

    public func authID(_ name: String) -> UInt32? {
        switch room.devices[name]?.device {
        case .app(let d)?: return d.credentials?.authID
        case .keypad(let d)?: return d.credentials?.authID
        case .fob(let d)?: return d.credentials?.authID
        default: return nil
        }
    }

    /// The keypad emulator (paired).
    public var keypad: KeypadEmulator? {
        if case .keypad(let k)? = room.devices["keypad"]?.device { return k }
        return nil
    }

    /// The lock engine without the room's connections, to serve it on a real link.
    public var detachedLock: LockSessionEngine {
        var engine = room.lock
        for (_, entry) in room.devices { engine.disconnect(entry.connection) }
        return engine
    }

    /// The fob's credentials (after pairing).
    public var fob: FobEmulator? {
        if case .fob(let f)? = room.devices["fob"]?.device { return f }
        return nil
    }

    /// Taps `card` on the keypad and returns the keypad's feedback.
    @discardableResult
    public mutating func tap(_ card: InProcessRoom.FieldCard = .fob("fob"), relayDelayMilliseconds: Int64 = 0) -> [PeripheralFeedback] {
        room.tap(card, on: "keypad", relayDelayMilliseconds: relayDelayMilliseconds)
        return room.drain().compactMap { entry in
            if entry.source == "keypad", case .feedback(let f) = entry.event { return f }
            return nil
        }
    }

    /// A phone request (admin), answered in full.
    public mutating func phone(_ request: ClientRequest) -> [PeripheralFeedback] {
        room.act("phone") { device, _ in
            guard case .app(var d) = device else { return [] }
            defer { device = .app(d) }
            return d.send(request)
        }
        return room.drain().compactMap { entry in
            if entry.source == "phone", case .feedback(let f) = entry.event { return f }
            return nil
        }
    }

    /// The newest log entry.
    public var lastLog: LogEntry? { room.lock.machine.log.entries.last }

    /// The NFC Keypad Action log entries (source 0x80), oldest first.
    public var nfcLog: [LogEntry.KeypadActionLog] {
        room.lock.machine.log.entries.compactMap { entry in
            if case .keypadAction(let k) = entry.event, k.source == .nfc { return k }
            return nil
        }
    }

    /// Locks the door again (the phone's Lock Action), so the next tap has something to unlock.
    public mutating func relock() {
        _ = phone(.lockAction(.lock, appID: 0x0A11))
    }
}
