internal import CSodium
import LockWire

/// Comparisons whose running time does not depend on the contents, for MACs, authenticators and keys.
///
/// Built on `sodium_memcmp` (constant time for equal lengths) and `sodium_is_zero`. Inputs of
/// different lengths compare unequal after a length check only; their contents are never read.
/// Design: `docs/architecture.md` §4 item 7.
public enum ConstantTime {
    /// True when both buffers have the same count and the same bytes. Two empty buffers are equal.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        Sodium.ensureInitialized()
        return sodium_memcmp(pa, pb, a.count) == 0
    }

    /// True when both arrays have the same count and the same bytes.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equals(pa, pb) } }
    }

    /// True when both slices have the same count and the same bytes.
    public static func equals(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equals(pa, pb) } }
    }

    /// True when both 32-byte values are equal (keys, nonces, authenticators).
    public static func equals(_ a: Bytes32, _ b: Bytes32) -> Bool {
        equals(a.bytes, b.bytes)
    }

    /// True when every byte is zero (`sodium_is_zero`); true for an empty buffer.
    public static func isZero(_ a: UnsafeRawBufferPointer) -> Bool {
        guard a.count > 0, let pa = a.baseAddress else { return true }
        Sodium.ensureInitialized()
        return sodium_is_zero(pa.assumingMemoryBound(to: UInt8.self), a.count) == 1
    }

    /// True when every byte is zero.
    public static func isZero(_ a: [UInt8]) -> Bool {
        a.withUnsafeBytes { isZero($0) }
    }
}
