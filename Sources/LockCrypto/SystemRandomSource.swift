internal import CSodium

/// The production ``RandomSource``: libsodium's `randombytes_buf`, which reads the kernel CSPRNG
/// (`getrandom(2)` on Linux). Stateless and safe to share.
public final class SystemRandomSource: RandomSource {
    /// A source over the kernel CSPRNG; initialises libsodium if needed.
    public init() {
        Sodium.ensureInitialized()
    }

    /// A shared instance; equivalent to any other.
    public static let shared = SystemRandomSource()

    /// Fills `buffer` with `randombytes_buf`.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        Sodium.ensureInitialized()
        randombytes_buf(base, buffer.count)
    }
}
