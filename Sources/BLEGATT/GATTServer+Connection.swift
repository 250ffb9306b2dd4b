import BLEATT

extension GATTServer {
    /// The state of one client connection: its bearer, CCCD values and indication queue.
    struct Connection: Sendable {
        /// One chunk waiting to be indicated.
        struct Chunk: Sendable {
            var characteristic: GATTCharacteristic
            var value: [UInt8]
            /// True for the last chunk of a message.
            var isLast: Bool
        }

        var bearer: ATTBearer
        /// CCCD handle → value, for this connection only (Part G §3.3.3.3).
        var clientConfigurations: [UInt16: UInt16] = [:]
        /// Chunks not yet sent, in order.
        var queue: [Chunk] = []
        var queueHead = 0
        /// The chunk awaiting its confirmation.
        var inFlight: Chunk?

        init(bearer: ATTBearer) { self.bearer = bearer }

        mutating func dequeue() -> Chunk? {
            guard queueHead < queue.count else {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
                return nil
            }
            let chunk = queue[queueHead]
            queueHead += 1
            return chunk
        }

        mutating func dropIndications() {
            queue.removeAll()
            queueHead = 0
            inFlight = nil
        }
    }
}
