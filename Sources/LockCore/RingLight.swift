import LockWire

/// The pattern the LED ring of the lock shows, as an observable output (the emulator prints it;
/// a change is the event ``LockEvent/ringLightChanged(_:)``).
///
/// The two battery signals are Nuki's (the Smart Lock FAQ, "battery below 20 %"; README, "How the emulated
/// lock behaves"): the **upper segment** blinks **three times every 5 s** while the lock is
/// unlocked and **twice every 10 s** while it is locked; with a healthy battery the ring never
/// shows them. The status light for Config "LED enabled" (`docs/wire.md` §5.8; the Nuki BLE API
/// 2.1 only names the switch) is Latchkey's choice, made so that nobody can take it for a battery
/// warning: the **whole ring**, **once every 10 s**, while unlocked.
///
/// | pattern | when | segment | flashes | every |
/// |---|---|---|---|---|
/// | ``batteryLowUnlocked`` | battery critical (below 20 %) and unlocked at rest (also unlatched, lock'n'go) | upper | 3 | 5 s |
/// | ``batteryLowLocked`` | battery critical and locked | upper | 2 | 10 s |
/// | ``unlockedStatus`` | battery fine, unlocked at rest, Config "LED enabled" | whole ring | 1 | 10 s |
/// | ``off`` | otherwise, including while the motor moves | — | 0 | — |
///
/// The battery signals show whatever the LED switch says: they are warnings, not a status light.
///
/// Stored (state file) as its name: `"off"`, `"unlockedStatus"`, `"batteryLowUnlocked"`,
/// `"batteryLowLocked"`. Files written before these patterns hold `{"off":{}}`, `{"unlocked":{}}`
/// or `{"batteryCritical":{}}`; they are read as the pattern the same state shows now (the ring is
/// recomputed at the lock's next step anyway).
public enum RingLight: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case off
    /// Battery fine, unlocked, LED enabled: whole ring, 1 flash every 10 s.
    case unlockedStatus
    /// Battery critical, unlocked: upper segment, 3 flashes every 5 s.
    case batteryLowUnlocked
    /// Battery critical, locked: upper segment, 2 flashes every 10 s.
    case batteryLowLocked

    /// Which part of the ring lights up.
    public enum Segment: String, Hashable, Sendable, Codable {
        case upper
        case whole
    }

    /// The lit segment, nil when off.
    public var segment: Segment? {
        switch self {
        case .off: return nil
        case .unlockedStatus: return .whole
        case .batteryLowUnlocked, .batteryLowLocked: return .upper
        }
    }

    /// Flashes per period.
    public var flashes: Int {
        switch self {
        case .off: return 0
        case .unlockedStatus: return 1
        case .batteryLowUnlocked: return 3
        case .batteryLowLocked: return 2
        }
    }

    /// Length of one period in milliseconds, 0 when off.
    public var periodMilliseconds: Int64 {
        switch self {
        case .off: return 0
        case .unlockedStatus, .batteryLowLocked: return 10_000
        case .batteryLowUnlocked: return 5_000
        }
    }

    /// Whether this is one of the low-battery signals.
    public var isBatteryWarning: Bool { self == .batteryLowUnlocked || self == .batteryLowLocked }

    /// The pattern for a lock state, battery condition and the Config "LED enabled" switch.
    public static func pattern(lockState: LockState, batteryCritical: Bool, ledEnabled: Bool) -> RingLight {
        let unlockedAtRest = lockState == .unlocked || lockState == .unlatched || lockState == .unlockedLockNGo
        if batteryCritical {
            if unlockedAtRest { return .batteryLowUnlocked }
            if lockState == .locked { return .batteryLowLocked }
            return .off
        }
        return unlockedAtRest && ledEnabled ? .unlockedStatus : .off
    }

    public var description: String {
        switch self {
        case .off: return "off"
        case .unlockedStatus: return "whole ring, 1 flash every 10 s"
        case .batteryLowUnlocked: return "upper segment, 3 flashes every 5 s (battery low)"
        case .batteryLowLocked: return "upper segment, 2 flashes every 10 s (battery low)"
        }
    }
}

extension RingLight: Codable {
    private enum Legacy: String, CodingKey {
        case off, unlocked, batteryCritical
    }

    /// Throws `DecodingError` for anything but the four names or the three legacy forms.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            guard let pattern = RingLight(rawValue: name) else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "unknown ring light pattern \"\(name)\"")
            }
            self = pattern
            return
        }
        let legacy = try decoder.container(keyedBy: Legacy.self)
        guard let key = legacy.allKeys.first, legacy.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a ring light pattern"))
        }
        switch key {
        case .off: self = .off
        case .unlocked: self = .unlockedStatus
        case .batteryCritical: self = .batteryLowLocked
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(rawValue)
    }
}
