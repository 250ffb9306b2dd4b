/// Counts consecutive failures of a secret check and locks further attempts out, in tiers.
///
/// Security PIN policy (``securityPIN``): after 3 consecutive wrong PINs the PIN is locked for
/// 30 s, and each further wrong PIN doubles the lockout, up to 24 h. A correct PIN resets the
/// count. Lockouts are measured on the injected clock and persist with the lock's state, so a
/// reconnect or restart does not end one early. (The Nuki API leaves threshold and duration
/// undocumented, `docs/wire.md` §3.5.)
public struct FailureLockout: Hashable, Sendable, Codable {
    /// Failures allowed before the first lockout.
    public let freeAttempts: Int
    public let firstLockoutMilliseconds: Int64
    public let maxLockoutMilliseconds: Int64

    public internal(set) var consecutiveFailures = 0
    public internal(set) var lockedUntil: LockInstant?

    public init(freeAttempts: Int, firstLockoutMilliseconds: Int64, maxLockoutMilliseconds: Int64) {
        self.freeAttempts = freeAttempts
        self.firstLockoutMilliseconds = firstLockoutMilliseconds
        self.maxLockoutMilliseconds = maxLockoutMilliseconds
    }

    public static let securityPIN = FailureLockout(freeAttempts: 3, firstLockoutMilliseconds: 30_000, maxLockoutMilliseconds: 86_400_000)

    /// Milliseconds of lockout left at `now`, or nil when attempts are allowed.
    public func remainingLockout(at now: LockInstant) -> Int64? {
        guard let until = lockedUntil, now < until else { return nil }
        return until.milliseconds(since: now)
    }

    public mutating func recordFailure(at now: LockInstant) {
        consecutiveFailures += 1
        let over = consecutiveFailures - freeAttempts
        guard over >= 0 else { return }
        var duration = firstLockoutMilliseconds
        for _ in 0..<min(over, 40) where duration < maxLockoutMilliseconds { duration *= 2 }
        duration = min(duration, maxLockoutMilliseconds)
        lockedUntil = now.adding(milliseconds: duration)
    }

    public mutating func recordSuccess() {
        consecutiveFailures = 0
        lockedUntil = nil
    }
}
