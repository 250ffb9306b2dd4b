import Foundation
import LatchkeyTestSupport
import LockCore
import LockCrypto
import LockSession
import LockWire
import NukiProfile
import Synchronization
import Testing

/// Set A of docs/wire.md §10.1 (Tests/Vectors/SetA.json), from the shared test support.
typealias SetA = SetAVectors

/// A random source that hands out scripted byte strings in order (the spec's nonces), then falls
/// back to a seeded stream. A request whose size differs from the next scripted entry is recorded
/// as a test issue.
final class ScriptedRandomSource: RandomSource {
    private let queue: Mutex<[[UInt8]]>
    private let fallback = SeededRandomSource(seed: 7)

    init(_ script: [[UInt8]]) { queue = Mutex(script) }

    var remaining: Int { queue.withLock { $0.count } }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        let next: [UInt8]? = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        guard let next else { return fallback.fill(buffer) }
        if next.count != buffer.count {
            Issue.record("scripted random: asked for \(buffer.count) bytes, script has \(next.count)")
        }
        for i in 0..<min(next.count, buffer.count) { buffer[i] = next[i] }
    }
}

/// The messages a lock action produced for one connection, decrypted with `key`.
func decrypt(_ actions: [LockSessionEngine.Action], key: SharedKey) throws -> [EncryptedPlaintext] {
    var reassembler = FragmentReassembler(framing: .encrypted)
    var out: [EncryptedPlaintext] = []
    for case .indicate(_, .keyturnerUSDIO, let bytes) in actions {
        for frame in try reassembler.append(bytes) {
            out.append(try EncryptedMessageCodec.open(frame) { _ in key })
        }
    }
    return out
}

/// Plain frames a lock sent on `characteristic`.
func plainFrames(_ actions: [LockSessionEngine.Action], on characteristic: Characteristic) throws -> [PlainFrame] {
    var reassembler = FragmentReassembler(framing: .plain)
    var out: [PlainFrame] = []
    for case .indicate(_, let c, let bytes) in actions where c == characteristic {
        for frame in try reassembler.append(bytes) { out.append(try PlainFrame.decode(frame)) }
    }
    return out
}

extension ClientSessionEngine.Action {
    var written: (Characteristic, [UInt8])? {
        if case .write(let c, let bytes) = self { return (c, bytes) }
        return nil
    }
}

/// A lock and a client wired together in memory: every write goes to the lock, every indication
/// for the client's connection comes back, until neither side has anything left to say.
struct Link {
    var lock: LockSessionEngine
    var client: ClientSessionEngine
    let connection: ConnectionID
    var now: LockInstant

    /// Feeds the client's actions to the lock and back; returns the client's non-write actions.
    mutating func pump(_ start: [ClientSessionEngine.Action]) -> [ClientSessionEngine.Action] {
        var pending = start
        var results: [ClientSessionEngine.Action] = []
        var rounds = 0
        while !pending.isEmpty, rounds < 1000 {
            rounds += 1
            var next: [ClientSessionEngine.Action] = []
            for action in pending {
                guard let (characteristic, bytes) = action.written else {
                    results.append(action)
                    continue
                }
                for reply in lock.receive(bytes, on: characteristic, from: connection, at: now) {
                    if case .indicate(let id, let c, let b) = reply, id == connection {
                        next += client.receive(b, on: c)
                    }
                }
            }
            pending = next
        }
        return results
    }

    /// Advances the clock and delivers what the lock sends meanwhile.
    mutating func advance(by milliseconds: Int64) -> [ClientSessionEngine.Action] {
        now = now.adding(milliseconds: milliseconds)
        var out: [ClientSessionEngine.Action] = []
        for reply in lock.advance(to: now) {
            if case .indicate(let id, let c, let b) = reply, id == connection {
                out += pump(client.receive(b, on: c))
            }
        }
        return out
    }
}
