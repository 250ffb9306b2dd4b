import Synchronization

/// The shared state of an ``InProcessLink`` pair: one queue per direction and who has closed.
final class InProcessChannel: Sendable {
    struct State: Sendable {
        var queues: [[[UInt8]]] = [[], []]
        var heads = [0, 0]
        var closed = [false, false]
    }

    let state = Mutex(State())
}
