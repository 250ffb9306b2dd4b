import LockWire

/// The pattern the LED ring of the lock shows, as an observable output (the emulator prints it;
/// a change is the event ``LockEvent/ringLightChanged(_:)``).
///
/// Patterns (Nuki product documentation, "LED signals"; the Nuki BLE API 2.1 only names the Config
/// switch "LED enabled", `docs/wire.md` §5.8):
///
/// | pattern | when | segment | flashes | every |
/// |---|---|---|---|---|
/// | ``unlocked`` | resting unlocked (also unlatched, lock'n'go active) and Config "LED enabled" | upper | 3 | 5 s |
/// | ``batteryCritical`` | battery critical (below 20 %) and locked, or unlocked with the LED switched off | whole ring | 2 | 10 s |
/// | ``off`` | otherwise, including while the motor moves | — | 0 | — |
///
/// The battery warning is shown even when the LED is switched off: it is a safety signal, not a
/// status light.
public enum RingLight: Hashable, Sendable, Codable, CustomStringConvertible {
    case off
    /// Upper segment blinks 3 times every 5 s.
    case unlocked
    /// Whole ring blinks twice every 10 s.
    case batteryCritical

    /// Which part of the ring lights up.
    public enum Segment: Hashable, Sendable, Codable {
        case upper
        case whole
    }

    /// The lit segment, nil when off.
    public var segment: Segment? {
        switch self {
        case .off: return nil
        case .unlocked: return .upper
        case .batteryCritical: return .whole
        }
    }

    /// Flashes per period.
    public var flashes: Int {
        switch self {
        case .off: return 0
        case .unlocked: return 3
        case .batteryCritical: return 2
        }
    }

    /// Length of one period in milliseconds, 0 when off.
    public var periodMilliseconds: Int64 {
        switch self {
        case .off: return 0
        case .unlocked: return 5_000
        case .batteryCritical: return 10_000
        }
    }

    /// The pattern for a lock state, battery condition and the Config "LED enabled" switch.
    public static func pattern(lockState: LockState, batteryCritical: Bool, ledEnabled: Bool) -> RingLight {
        let unlockedAtRest = lockState == .unlocked || lockState == .unlatched || lockState == .unlockedLockNGo
        if unlockedAtRest, ledEnabled { return .unlocked }
        if batteryCritical, unlockedAtRest || lockState == .locked { return .batteryCritical }
        return .off
    }

    public var description: String {
        switch self {
        case .off: return "off"
        case .unlocked: return "upper segment, 3 flashes every 5 s"
        case .batteryCritical: return "whole ring, 2 flashes every 10 s"
        }
    }
}
