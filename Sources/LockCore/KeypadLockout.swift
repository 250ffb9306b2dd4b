import LockWire

/// Brute-force protection of keypad codes: lockout tiers after consecutive wrong codes.
///
/// Tiers (the first is Nuki's documented behaviour, the later ones are chosen here, `docs/wire.md` §7):
///
/// | consecutive wrong codes | lockout | error while locked out |
/// |---|---|---|
/// | 5 | 30 s | K_ERROR_CODE_INVALID_TIMEOUT_1 (0x2C) |
/// | 10 | 5 min | K_ERROR_CODE_INVALID_TIMEOUT_2 (0x2D) |
/// | 15 | 30 min | K_ERROR_CODE_INVALID_TIMEOUT_3 (0x2E) |
/// | 20, 25, 30, … (every 5th) | doubling: 1 h, 2 h, 4 h, 8 h, 16 h, then 24 h each | K_ERROR_CODE_INVALID_TIMEOUT_3 |
///
/// The doubling keeps the brute-force budget above a year even with the code table full: with
/// 100 stored codes the first hit takes about 5,200 tries on average, which at the sustained rate
/// of 5 tries per 24 h is about 2.8 years (`docs/attacks.md` PIN-03; a flat 30 min third tier gave
/// 21.6 days). Any code, right or wrong, is refused during a lockout, the count resets only on a
/// correct code, and the state persists across reconnects and restarts.
public struct KeypadLockout: Hashable, Sendable, Codable {
    public internal(set) var consecutiveFailures = 0
    public internal(set) var lockedUntil: LockInstant?
    public internal(set) var tier: Int = 0

    public init() {}

    /// The lockout in force at `now`: its error code and remaining milliseconds.
    public func active(at now: LockInstant) -> (code: NukiErrorCode, remainingMilliseconds: Int64)? {
        guard let until = lockedUntil, now < until else { return nil }
        return (Self.errorCode(tier: tier), until.milliseconds(since: now))
    }

    /// Counts a wrong code; returns the error to answer with (0x2B, or the tier's code when this
    /// failure starts a lockout).
    public mutating func recordFailure(at now: LockInstant) -> NukiErrorCode {
        consecutiveFailures += 1
        guard consecutiveFailures % 5 == 0 else { return .codeInvalid }
        tier = min(consecutiveFailures / 5, 3)
        lockedUntil = now.adding(milliseconds: Self.lockoutMilliseconds(afterFailures: consecutiveFailures))
        return Self.errorCode(tier: tier)
    }

    public mutating func recordSuccess() {
        consecutiveFailures = 0
        lockedUntil = nil
        tier = 0
    }

    /// The longest lockout, reached after 45 consecutive wrong codes: 24 h.
    public static let maximumLockoutMilliseconds: Int64 = 86_400_000

    /// The lockout that the `failures`-th consecutive wrong code starts (a multiple of 5), per the
    /// table above; 0 for other counts.
    public static func lockoutMilliseconds(afterFailures failures: Int) -> Int64 {
        guard failures >= 5, failures % 5 == 0 else { return 0 }
        let step = failures / 5
        guard step > 3 else { return lockoutMilliseconds(tier: step) }
        let doublings = min(step - 3, 6)
        return min(lockoutMilliseconds(tier: 3) << Int64(doublings), maximumLockoutMilliseconds)
    }

    /// The shortest lockout of `tier` (1: 30 s, 2: 5 min, 3: 30 min, the first of the third tier;
    /// later third-tier lockouts are longer, ``lockoutMilliseconds(afterFailures:)``).
    public static func lockoutMilliseconds(tier: Int) -> Int64 {
        switch tier {
        case 1: return 30_000
        case 2: return 300_000
        default: return 1_800_000
        }
    }

    static func errorCode(tier: Int) -> NukiErrorCode {
        switch tier {
        case 1: return .codeInvalidTimeout1
        case 2: return .codeInvalidTimeout2
        default: return .codeInvalidTimeout3
        }
    }
}
