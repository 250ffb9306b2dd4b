import LockCrypto

extension LockSessionEngine {
    /// The shared key of authorization `authID`, or nil when the lock has none. For a hostile lock
    /// that re-seals the replies it corrupts (``HostileLockEngine``, `latchkey lock serve
    /// --hostile`); never log or print it.
    public func sharedKey(for authID: UInt32) -> SharedKey? { keys[authID] }
}
