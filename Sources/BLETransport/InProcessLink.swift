import Synchronization

/// One end of an in-memory ``ATTLink``: two endpoints made by ``pair(maximumPDUSize:)`` share a
/// queue per direction.
///
/// Deterministic and thread-free: ``send(_:)`` appends to the peer's queue, ``receive(timeout:)``
/// takes the oldest PDU or returns `nil` at once — it **never waits**, whatever the timeout, so a
/// caller drives both ends from one thread by polling them in turn. Safe to use from several
/// threads (a `Mutex` guards the queues), but then the caller must poll.
public final class InProcessLink: ATTLink {
    private let channel: InProcessChannel
    private let side: Int
    /// The longest PDU accepted by ``send(_:)``.
    public let maximumPDUSize: Int

    private init(channel: InProcessChannel, side: Int, maximumPDUSize: Int) {
        self.channel = channel
        self.side = side
        self.maximumPDUSize = maximumPDUSize
    }

    /// Two connected endpoints.
    public static func pair(maximumPDUSize: Int = 517) -> (InProcessLink, InProcessLink) {
        let channel = InProcessChannel()
        let size = max(1, maximumPDUSize)
        return (InProcessLink(channel: channel, side: 0, maximumPDUSize: size), InProcessLink(channel: channel, side: 1, maximumPDUSize: size))
    }

    /// Queues `pdu` for the peer.
    public func send(_ pdu: [UInt8]) throws(TransportError) {
        guard !pdu.isEmpty else { throw TransportError(.emptyPDU, "ATT has no empty PDU") }
        guard pdu.count <= maximumPDUSize else { throw TransportError(.pduTooLarge, "\(pdu.count) octets > \(maximumPDUSize)") }
        let peer = 1 - side
        let sent = channel.state.withLock { state -> Bool in
            guard !state.closed[side], !state.closed[peer] else { return false }
            state.queues[peer].append(pdu)
            return true
        }
        guard sent else { throw TransportError(.closed, "the in-process link is closed") }
    }

    /// The oldest queued PDU, or `nil` when none is queued (never waits; `timeout` is ignored).
    public func receive(timeout: Duration) throws(TransportError) -> [UInt8]? {
        let side = self.side
        let result = channel.state.withLock { state -> [UInt8]?? in
            guard !state.closed[side] else { return .some(nil) }
            let head = state.heads[side]
            guard head < state.queues[side].count else {
                return state.closed[1 - side] ? .some(nil) : .none
            }
            let pdu = state.queues[side][head]
            state.heads[side] = head + 1
            if head + 1 >= 64, head + 1 >= state.queues[side].count / 2 {
                state.queues[side].removeFirst(head + 1)
                state.heads[side] = 0
            }
            return .some(pdu)
        }
        switch result {
        case .none: return nil
        case .some(nil): throw TransportError(.closed, "the in-process link is closed")
        case .some(let pdu?): return pdu
        }
    }

    /// Closes this end; the peer drains what was sent, then sees closed.
    public func close() {
        channel.state.withLock { $0.closed[side] = true }
    }
}
