internal import CSodium
import LockWire
import Synchronization

/// A deterministic ``RandomSource`` for tests, fuzzing and replayable demos. Never use it for real keys.
///
/// The output is the ChaCha20 keystream (`crypto_stream_chacha20_xor_ic`, original 64-bit-nonce
/// variant) keyed with the 32-byte seed, under the fixed nonce `"LKSeeded"`. A position counter
/// advances by every byte handed out, so:
/// - the same seed replays the same stream, independent of how it is split into calls
///   (`fill(8)` then `fill(8)` gives the same 16 bytes as one `fill(16)`);
/// - successive calls never repeat output (the keystream has 2^64 blocks of 64 bytes).
///
/// A `UInt64` seed is expanded to the 32-byte seed as its 8 little-endian bytes followed by 24 zeros.
/// Safe to share: the position is behind a lock.
public final class SeededRandomSource: RandomSource {
    private struct State {
        var key: [UInt8]
        /// Bytes handed out so far.
        var position: UInt64
    }

    private static let nonce: [UInt8] = Array("LKSeeded".utf8)
    private static let blockBytes: UInt64 = 64

    private let state: Mutex<State>

    /// A stream keyed by a 32-byte seed.
    public init(seed: Bytes32) {
        Sodium.ensureInitialized()
        state = Mutex(State(key: seed.bytes, position: 0))
    }

    /// A stream keyed by `seed` as 8 little-endian bytes followed by 24 zero bytes.
    public convenience init(seed: UInt64) {
        var w = WireWriter(capacity: Bytes32.byteCount)
        w.write(UInt32(truncatingIfNeeded: seed))
        w.write(UInt32(truncatingIfNeeded: seed >> 32))
        w.write(contentsOf: repeatElement(0, count: Bytes32.byteCount - 8))
        self.init(seed: Bytes32(w.bytes) ?? .zero)  // 8 + 24 bytes were written
    }

    /// Bytes handed out so far.
    public var position: UInt64 {
        state.withLock { $0.position }
    }

    /// Hands out the next `buffer.count` bytes of the keystream and advances the position.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var out = buffer.baseAddress, buffer.count > 0 else { return }
        var remaining = buffer.count
        state.withLock { state in
            let start = state.position
            let skip = Int(start % Self.blockBytes)
            var block = start / Self.blockBytes
            state.key.withUnsafeBufferPointer { key in
                Self.nonce.withUnsafeBufferPointer { nonce in
                    guard let k = key.baseAddress, let n = nonce.baseAddress else { return }
                    if skip != 0 {
                        // Finish the partly used block: generate it whole, hand out its tail.
                        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(Self.blockBytes)) { tmp in
                            guard let t = tmp.baseAddress else { return }
                            t.initialize(repeating: 0, count: tmp.count)
                            crypto_stream_chacha20_xor_ic(t, t, Self.blockBytes, n, block, k)
                            let take = min(Int(Self.blockBytes) - skip, remaining)
                            out.copyMemory(from: t + skip, byteCount: take)
                            sodium_memzero(t, tmp.count)
                            out += take
                            remaining -= take
                        }
                        block &+= 1
                    }
                    if remaining > 0 {
                        let bytes = out.bindMemory(to: UInt8.self, capacity: remaining)
                        bytes.initialize(repeating: 0, count: remaining)
                        crypto_stream_chacha20_xor_ic(bytes, bytes, UInt64(remaining), n, block, k)
                    }
                }
            }
            state.position &+= UInt64(buffer.count)
        }
    }
}
