import LockWire

/// Brute-force protection of keypad codes: lockout tiers after consecutive wrong codes.
///
/// Tiers (the first is Nuki's documented behaviour, the later ones are chosen here, `protocol.md` §7):
///
/// | consecutive wrong codes | lockout | error while locked out |
/// |---|---|---|
/// | 5 | 30 s | K_ERROR_CODE_INVALID_TIMEOUT_1 (0x2C) |
/// | 10 | 5 min | K_ERROR_CODE_INVALID_TIMEOUT_2 (0x2D) |
/// | 15, 20, 25, … (every 5th) | 30 min | K_ERROR_CODE_INVALID_TIMEOUT_3 (0x2E) |
///
/// At the sustained rate of 5 tries per 30 min (360 s per try) an attacker needs on average
/// 262,440 tries (half of the 524,880 valid codes) for one stored code: about 3 years; with
/// 100 codes stored it is still about 11 days per hit, which the security suite checks (PIN-03).
/// Any code, right or wrong, is refused during a lockout, the count resets only on a correct
/// code, and the state persists across reconnects and restarts.
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
        lockedUntil = now.adding(milliseconds: Self.lockoutMilliseconds(tier: tier))
        return Self.errorCode(tier: tier)
    }

    public mutating func recordSuccess() {
        consecutiveFailures = 0
        lockedUntil = nil
        tier = 0
    }

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
