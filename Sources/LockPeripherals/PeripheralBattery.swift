import LockCore

/// The battery of an emulated keypad or fob: a fixed drain per transaction, deterministic, and a
/// low-battery signal when the level first drops below 20 % (the keypad reports it to the lock as
/// the accessory battery state, `docs/wire.md` §5.5 byte 20).
public struct PeripheralBattery: Hashable, Sendable, Codable {
    /// Level in thousandths of a percent (100,000 = full).
    public private(set) var milliPercent: Int
    /// Drain per lock request, thousandths of a percent.
    public var drainPerRequestMilliPercent: Int
    public private(set) var lowNotified = false

    public static let lowBelowMilliPercent = 20_000

    public init(percent: Int = 100, drainPerRequestMilliPercent: Int = 10) {
        milliPercent = min(max(percent, 0), 100) * 1000
        self.drainPerRequestMilliPercent = max(0, drainPerRequestMilliPercent)
    }

    public var percent: Int { milliPercent / 1000 }
    public var isLow: Bool { milliPercent < Self.lowBelowMilliPercent }

    /// Sets the level (e.g. a battery change); 20 % or more re-arms the low-battery signal.
    public mutating func set(percent: Int) {
        milliPercent = min(max(percent, 0), 100) * 1000
        if !isLow { lowNotified = false }
    }

    /// Drains one request; returns the low-battery feedback the first time the level drops below 20 %.
    mutating func drainRequest() -> PeripheralFeedback? {
        milliPercent = max(0, milliPercent - drainPerRequestMilliPercent)
        guard isLow, !lowNotified else { return nil }
        lowNotified = true
        return .lowBattery(percent: percent)
    }
}
