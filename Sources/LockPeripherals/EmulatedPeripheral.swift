import LockCore
import LockNFC
import LockSession
import NukiProfile

/// What the runtime needs of any emulated peripheral: feed it indications and time, collect its
/// writes and feedback.
public protocol EmulatedPeripheral {
    /// The credentials after pairing.
    var credentials: ClientCredentials? { get }
    /// How long a motor request waits for Status COMPLETE after ACCEPTED or its last state update
    /// before it reads the state back (``LockSession/ClientSessionEngine/completeGraceMilliseconds``).
    var completeGraceMilliseconds: Int64 { get set }
    /// Starts pairing.
    mutating func pair() -> [PeripheralAction]
    /// An indication from the lock.
    mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, at now: LockInstant) -> [PeripheralAction]
    /// Lets timers (key timeout, press window) run up to `now`.
    mutating func tick(at now: LockInstant) -> [PeripheralAction]
    /// What the NFC reader got for a ``PeripheralAction/readCard(challenge:)`` (keypad only).
    mutating func cardRead(_ result: Result<NFCCardRead, NFCError>, at now: LockInstant) -> [PeripheralAction]
}

extension EmulatedPeripheral {
    /// Peripherals without an NFC reader ignore card reads.
    public mutating func cardRead(_ result: Result<NFCCardRead, NFCError>, at now: LockInstant) -> [PeripheralAction] { [] }
}

extension KeypadEmulator: EmulatedPeripheral {}
extension FobEmulator: EmulatedPeripheral {}

/// A peripheral with its own battery (keypad, fob).
public protocol BatteryPoweredPeripheral: EmulatedPeripheral {
    var battery: PeripheralBattery { get set }
}

extension KeypadEmulator: BatteryPoweredPeripheral {}
extension FobEmulator: BatteryPoweredPeripheral {}
