internal import CSodium

/// One-time libsodium initialisation. Every entry point of `LockCrypto` that calls libsodium calls
/// ``ensureInitialized()`` first; `sodium_init()` itself is idempotent and thread-safe, and the
/// lazily initialised static makes the check a single `swift_once` test after the first call.
enum Sodium {
    /// `sodium_init()` returns 0 on first success, 1 when already initialised and -1 when the library
    /// cannot be used at all (no usable entropy source). That is an environment failure, not bad input,
    /// so it stops the process instead of letting crypto run on an unseeded generator.
    private static let initialized: Bool = {
        guard sodium_init() >= 0 else {
            fatalError("libsodium could not be initialised (sodium_init() failed)")
        }
        return true
    }()

    @inline(__always)
    static func ensureInitialized() {
        _ = initialized
    }

    /// `sodium_memzero` over a whole buffer (a no-op when it is empty).
    static func memzero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }
}
