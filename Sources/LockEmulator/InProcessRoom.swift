import LockCore
import LockDriver
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// A lock and its devices in one process, on a virtual clock: every write goes to the lock engine,
/// every indication back to the device of its connection, until nothing is left to deliver
/// (``LockDriver/PDUDriver``'s loop and round cap). Lock events and device feedback are collected
/// for the caller; NFC taps work as in ``LinkedRoom``. Sans-I/O and deterministic.
public struct InProcessRoom {
    /// A device in the room.
    public enum Device {
        case app(AdminClient)
        case keypad(KeypadEmulator)
        case fob(FobEmulator)

        mutating func receive(_ bytes: [UInt8], on c: Characteristic, at now: LockInstant) -> [PeripheralAction] {
            switch self {
            case .app(var d): defer { self = .app(d) }; return d.receive(bytes, on: c, at: now)
            case .keypad(var d): defer { self = .keypad(d) }; return d.receive(bytes, on: c, at: now)
            case .fob(var d): defer { self = .fob(d) }; return d.receive(bytes, on: c, at: now)
            }
        }

        mutating func tick(at now: LockInstant) -> [PeripheralAction] {
            switch self {
            case .app(var d): defer { self = .app(d) }; return d.tick(at: now)
            case .keypad(var d): defer { self = .keypad(d) }; return d.tick(at: now)
            case .fob(var d): defer { self = .fob(d) }; return d.tick(at: now)
            }
        }
    }

    public var lock: LockSessionEngine
    public private(set) var now: LockInstant
    public private(set) var devices: [String: (connection: ConnectionID, device: Device)] = [:]
    private var nextConnection: UInt64 = 1
    /// Called with every message crossing between a device and the lock: the device's connection,
    /// whether the lock received it (a write) or sent it (an indication), the characteristic and the
    /// bytes. The demo records these as a capture.
    public var onTraffic: ((ConnectionID, _ toLock: Bool, Characteristic, [UInt8]) -> Void)?

    /// What can be held to a keypad's NFC reader.
    public enum FieldCard {
        /// The card of the fob device with this name (its counter advances in the fob).
        case fob(String)
        /// Any card application (a clone, a card with a rolled-back counter…) showing `uid`.
        case card(NFCCardApplication, uid: [UInt8])
        /// A tag that only has a UID (no Latchkey application).
        case tag(uid: [UInt8])
        /// Plays back a recorded read whatever the challenge (a replay).
        case recorded(NFCCardRead)
    }

    /// The card in a keypad's reader field (keypad name → card) and the relay delay (virtual
    /// milliseconds) added between the challenge and the card's answer.
    public var cardsInField: [String: (card: FieldCard, delayMilliseconds: Int64)] { field.cards }
    /// Every card read a keypad made, in order (what an eavesdropper near the reader records).
    public var cardReads: [NFCCardRead] { field.reads }
    private var field = NFCField()

    /// Lock events and device feedback since the last ``drain()``.
    public private(set) var events: [(source: String, event: RoomEvent)] = []

    /// Something that happened in the room.
    public enum RoomEvent {
        case lock(LockEvent)
        case refused(NukiErrorCode, command: Command, reason: String)
        case disconnected(reason: String)
        case feedback(PeripheralFeedback)
        /// The room's driver stopped a conversation still moving after its round cap (a fault).
        case notQuiet(PDUDriver.NotQuiet)
    }

    public init(lock: LockSessionEngine, now: LockInstant) {
        self.lock = lock
        self.now = now
    }

    /// Adds a device on a new connection.
    public mutating func add(_ name: String, _ device: Device) {
        let connection = ConnectionID(nextConnection)
        nextConnection += 1
        lock.connect(connection)
        devices[name] = (connection, device)
    }

    /// Gives `name` a fresh connection (after a disconnect).
    public mutating func reconnect(_ name: String) {
        guard let entry = devices[name] else { return }
        lock.disconnect(entry.connection)
        let connection = ConnectionID(nextConnection)
        nextConnection += 1
        lock.connect(connection)
        devices[name] = (connection, entry.device)
    }

    /// Runs `body` on the device `name` and delivers what it produces.
    public mutating func act(_ name: String, _ body: (inout Device, LockInstant) -> [PeripheralAction]) {
        guard var entry = devices[name] else { return }
        let actions = body(&entry.device, now)
        devices[name] = entry
        deliver(actions.map { (name, $0) })
    }

    /// Holds fob `fob`'s NFC card to keypad `keypad`'s reader: the keypad fetches a challenge, the
    /// card answers it `relayDelayMilliseconds` later on the virtual clock (a relay's extra
    /// latency), and the keypad relays the answer to the lock. The card leaves the field after.
    public mutating func tap(fob: String, on keypad: String, relayDelayMilliseconds: Int64 = 0) {
        tap(.fob(fob), on: keypad, relayDelayMilliseconds: relayDelayMilliseconds)
    }

    /// Holds `card` to keypad `keypad`'s reader (see ``tap(fob:on:relayDelayMilliseconds:)``).
    public mutating func tap(_ card: FieldCard, on keypad: String, relayDelayMilliseconds: Int64 = 0) {
        field.cards[keypad] = (card, relayDelayMilliseconds)
        act(keypad) { device, now in
            guard case .keypad(var k) = device else { return [] }
            defer { device = .keypad(k) }
            return k.cardPresented(at: now)
        }
        field.cards[keypad] = nil
    }

    /// Reads the card in `keypad`'s field (if any) for `challenge`.
    private mutating func readCard(for keypad: String, challenge: Bytes32) -> [(String, PeripheralAction)] {
        var field = self.field
        let (result, delay) = field.read(for: keypad, challenge: challenge) { fobName, body in
            guard var entry = devices[fobName], case .fob(var fob) = entry.device else { return }
            body(&fob)
            entry.device = .fob(fob)
            devices[fobName] = entry
        }
        self.field = field
        now = now.adding(milliseconds: delay)
        guard var entry = devices[keypad], case .keypad(var k) = entry.device else { return [] }
        let out = k.cardRead(result, at: now)
        entry.device = .keypad(k)
        devices[keypad] = entry
        return out.map { (keypad, $0) }
    }

    /// Moves the clock to `instant`, running the lock's timers and the devices' timers.
    public mutating func advance(to instant: LockInstant) {
        guard instant > now else { return }
        now = instant
        route(lock.advance(to: now))
        for name in devices.keys.sorted() {
            act(name) { device, now in device.tick(at: now) }
        }
    }

    /// Applies lock engine actions produced outside a write (timers, button, key turn, battery) and
    /// delivers what the devices answer.
    public mutating func route(_ actions: [LockSessionEngine.Action]) {
        deliver(actions.flatMap { handle($0) })
    }

    /// Returns and clears the collected events.
    public mutating func drain() -> [(source: String, event: RoomEvent)] {
        defer { events = [] }
        return events
    }

    private mutating func deliver(_ actions: [(String, PeripheralAction)]) {
        var pending = actions[...]
        do {
            try PDUDriver.run("the room's messages") { deliverNext(&pending) }
        } catch {
            events.append(("room", .notQuiet(error)))
        }
    }

    /// Delivers the first of `pending`, queueing what it causes; false when nothing was pending.
    private mutating func deliverNext(_ pending: inout ArraySlice<(String, PeripheralAction)>) -> Bool {
        guard let (source, action) = pending.popFirst() else { return false }
        switch action {
        case .feedback(let feedback):
            events.append((source, .feedback(feedback)))
        case .readCard(let challenge):
            pending += readCard(for: source, challenge: challenge)
        case .write(let characteristic, let bytes):
            guard let connection = devices[source]?.connection else { return true }
            onTraffic?(connection, true, characteristic, bytes)
            for reply in lock.receive(bytes, on: characteristic, from: connection, at: now) {
                pending += handle(reply)
            }
        }
        return true
    }

    /// Handles one lock action; returns device actions it caused (an indication's answer).
    private mutating func handle(_ action: LockSessionEngine.Action) -> [(String, PeripheralAction)] {
        switch action {
        case .indicate(let connection, let characteristic, let bytes):
            onTraffic?(connection, false, characteristic, bytes)
            guard let name = devices.first(where: { $0.value.connection == connection })?.key, var entry = devices[name] else { return [] }
            let out = entry.device.receive(bytes, on: characteristic, at: now)
            devices[name] = entry
            return out.map { (name, $0) }
        case .event(let event):
            events.append(("lock", .lock(event)))
        case .refused(let connection, let code, let command, let reason):
            let name = devices.first(where: { $0.value.connection == connection })?.key ?? "?"
            events.append((name, .refused(code, command: command, reason: reason)))
        case .disconnect(let connection, let reason):
            if let name = devices.first(where: { $0.value.connection == connection })?.key {
                events.append((name, .disconnected(reason: reason)))
            }
        }
        return []
    }
}
