import LockCore
import LockPeripherals
import LockSession

/// Where a lock and its devices meet on a virtual clock: the demo's stage.
///
/// Two kinds: ``InProcessRoom`` hands every message straight between the protocol engines;
/// ``LinkedRoom`` puts the Nuki GATT server and the devices' GATT clients between them, over the Unix
/// SOCK_SEQPACKET socket link or the in-process ATT link. The same steps give the same outcomes in
/// both (the demo's tests check the whole week's timeline is identical). Both run their rounds
/// through ``LockDriver/PDUDriver`` (one round cap; a conversation past it is reported as
/// ``InProcessRoom/RoomEvent/notQuiet(_:)``) and hold NFC cards to keypads the same way.
public protocol LockRoom {
    /// The room's virtual time.
    var now: LockInstant { get }
    /// The lock's state.
    var machine: LockMachine { get }
    /// Adds a device on a new connection.
    /// - Throws: ``LinkedRoom/Failure`` when the link or its GATT set-up fails.
    mutating func add(_ name: String, _ device: InProcessRoom.Device) throws
    /// Gives `name` a fresh connection (after a disconnect).
    /// - Throws: ``LinkedRoom/Failure`` when the link or its GATT set-up fails.
    mutating func reconnect(_ name: String) throws
    /// Runs `body` on the device `name` and delivers what it produces until the room is quiet.
    mutating func act(_ name: String, _ body: (inout InProcessRoom.Device, LockInstant) -> [PeripheralAction])
    /// Moves the clock to `instant`, running the lock's and the devices' timers.
    mutating func advance(to instant: LockInstant)
    /// Runs `body` on the lock engine outside a write (button, key turn, battery) and delivers what
    /// it produces.
    /// - Throws: what `body` throws; then nothing was delivered.
    mutating func withLock(_ body: (inout LockSessionEngine, LockInstant) throws -> [LockSessionEngine.Action]) rethrows
    /// Holds `card` to keypad `keypad`'s NFC reader: the keypad fetches a challenge from the lock,
    /// the card answers it `relayDelayMilliseconds` later on the room's clock, the keypad relays the
    /// answer; the card leaves the field after.
    mutating func tap(_ card: InProcessRoom.FieldCard, on keypad: String, relayDelayMilliseconds: Int64)
    /// Returns and clears the lock events and device feedback collected since the last call.
    mutating func drain() -> [(source: String, event: InProcessRoom.RoomEvent)]
}

extension InProcessRoom: LockRoom {
    public var machine: LockMachine { lock.machine }

    public mutating func withLock(_ body: (inout LockSessionEngine, LockInstant) throws -> [LockSessionEngine.Action]) rethrows {
        let actions = try body(&lock, now)
        route(actions)
    }
}
