internal import CSodium
import Synchronization

/// Heap storage for secret material (X25519 secret keys, shared keys, raw X25519 outputs) that is
/// overwritten with `sodium_memzero` when wiped and again when the last reference goes away.
///
/// - Access is scoped: ``withUnsafeBytes(_:)`` lends the bytes for the duration of a closure, under a
///   lock, so a concurrent ``wipe()`` can never race a reader. Copies made by a closure are the
///   caller's responsibility.
/// - ``description`` and ``debugDescription`` are redacted; the contents are never printed or logged.
/// - The memory is not `mlock`ed. `mlock` is page-granular and does not nest, so unlocking one small
///   allocation would silently unlock every other secret on the same page; libsodium's guarded
///   `sodium_malloc` avoids that but costs an `mmap` and three to four pages per key. Keep swap
///   encrypted or disabled on hosts that hold real keys.
///
/// A size below zero is treated as zero; no initialiser traps on input.
/// Design: `docs/architecture.md` §4 item 7 ("zeroing storage, `sodium_memcmp`, never logged").
public final class SecretBytes: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Number of secret bytes.
    public let count: Int
    private nonisolated(unsafe) let base: UnsafeMutableRawPointer
    /// Guards the bytes; the value records whether ``wipe()`` has run.
    private let state = Mutex<Bool>(false)

    /// `count` zero bytes (fill them with ``init(count:initializingWith:)`` instead where possible).
    public convenience init(zeroed count: Int) {
        self.init(count: count) { _ in }
    }

    /// Copies `bytes` into new secret storage. The source is not wiped; wipe it yourself if you own it.
    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// `count` bytes initialised by `body`, which receives the zero-filled buffer. If `body` throws,
    /// the buffer is wiped and freed before the error propagates.
    public init<E: Error>(
        count: Int,
        initializingWith body: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        Sodium.ensureInitialized()
        let size = max(0, count)
        // Never allocate zero bytes, so `base` is always a valid pointer. The buffer is filled before
        // any stored property is set: if `body` throws, this initialiser frees it itself and `deinit`
        // never runs, so nothing is freed twice.
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 1))
        do {
            try body(UnsafeMutableRawBufferPointer(start: pointer, count: size))
        } catch {
            sodium_memzero(pointer, max(size, 1))
            pointer.deallocate()
            throw error
        }
        self.count = size
        base = pointer
    }

    deinit {
        sodium_memzero(base, max(count, 1))
        base.deallocate()
    }

    /// Lends the bytes to `body` for its duration only. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try state.withLock { (_: inout Bool) throws(E) -> R in
            try body(UnsafeRawBufferPointer(start: base, count: count))
        }
    }

    /// Overwrites the bytes with zeros now (`sodium_memzero`). The object stays usable and reads as
    /// zeros afterwards; ``isWiped`` becomes true.
    public func wipe() {
        state.withLock { wiped in
            sodium_memzero(base, max(count, 1))
            wiped = true
        }
    }

    /// True once ``wipe()`` has run.
    public var isWiped: Bool {
        state.withLock { $0 }
    }

    /// Constant-time comparison of the contents (`sodium_memcmp`); false when the counts differ.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        if other === self { return true }
        return withUnsafeBytes { mine in
            other.withUnsafeBytes { theirs in ConstantTime.equals(mine, theirs) }
        }
    }

    /// Redacted: `SecretBytes(32 bytes, redacted)`.
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    /// Redacted, as ``description``.
    public var debugDescription: String { description }
}
