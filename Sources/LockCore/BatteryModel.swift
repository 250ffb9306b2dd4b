import LockWire

/// The battery drain model of the emulated lock: deterministic, on the injected clock only.
///
/// Levels are kept in milli-percent (100 % = 100,000). Figures (chosen here, sized so four AA cells
/// last about six months at ten actions a day, the order Nuki states for the Smart Lock 3.0):
///
/// | cause | drain |
/// |---|---|
/// | idle, per day | 0.2 % (1 milli-percent every 432 s, applied in whole steps) |
/// | unlock, lock | 0.04 % |
/// | full lock | 0.05 % |
/// | unlatch | 0.06 % |
/// | lock'n'go | 0.08 % |
/// | lock'n'go with unlatch | 0.1 % |
/// | calibration | 0.5 % |
///
/// The battery is critical below 20 % (Keyturner States byte 12 bit 0, Battery Report byte 4).
/// Battery Report's drain field reports the last motor action's drain at 100 mWs per milli-percent.
/// Source of the thresholds: Nuki BLE API 2.1/2.2 §"Keyturner States", §"Battery Report";
/// `docs/wire.md` §5.5 and §5.6.
public enum BatteryModel {
    /// 100 % in milli-percent.
    public static let full = 100_000
    /// Below this level (20 %) the battery is critical.
    public static let criticalBelowMilliPercent = 20_000
    /// Idle drain per day, milli-percent.
    public static let idleMilliPercentPerDay = 200
    /// Milliseconds of idle time per milli-percent of drain (86,400,000 / 200).
    public static let idleMillisecondsPerMilliPercent: Int64 = 432_000
    /// Drain of a calibration run, milli-percent.
    public static let calibrationMilliPercent = 500
    /// Battery Report drain, mWs per milli-percent.
    public static let milliwattSecondsPerMilliPercent = 100
    /// Calibration is refused below this level with K_ERROR_VOLTAGE_TOO_LOW (10 %).
    public static let calibrationMinimumMilliPercent = 10_000

    /// Drain of one motor action, milli-percent.
    public static func drainMilliPercent(for action: LockAction) -> Int {
        switch action {
        case .fullLock: return 50
        case .unlatch: return 60
        case .lockNGo: return 80
        case .lockNGoWithUnlatch: return 100
        default: return 40
        }
    }
}
