extension ATTBearer {
    /// What the bearer reports after ``ATTBearer/receive(_:)`` or ``ATTBearer/tick(now:)``, in order.
    public enum Event: Hashable, Sendable {
        /// Octets the bearer generated itself (an Error Response to a malformed or unsupported
        /// request, Exchange MTU Response, Execute Write Response for a cancel or an empty queue).
        /// Transmit them in order.
        case send([UInt8])
        /// A well-formed peer request for the layer above to answer with ``ATTBearer/send(_:at:)``
        /// (a response or Error Response). A Prepare Write Request appears here only when the queue
        /// has room; echo it in a Prepare Write Response to queue it.
        case request(ATTPDU)
        /// An Execute Write Request with flags 0x01 and a non-empty prepare queue (§3.4.6.3): write
        /// these values in order, then answer with Execute Write Response or an Error Response
        /// naming the failing handle. The queue is already cleared.
        case executeWrite([ATTPreparedWrite])
        /// A well-formed Write Command (§3.4.5.3). Never answered.
        case command(ATTPDU)
        /// A well-formed Handle Value Notification (§3.4.7.1).
        case notification(ATTPDU)
        /// A well-formed Handle Value Indication (§3.4.7.2); answer with Handle Value Confirmation.
        case indication(ATTPDU)
        /// The response (or Error Response) to the request this side sent.
        case response(ATTPDU)
        /// The peer confirmed this side's outstanding indication (§3.4.7.3).
        case confirmation
        /// The ATT_MTU changed after Exchange MTU (§3.4.2).
        case mtuChanged(Int)
        /// This side's indication was not confirmed within the transaction timeout (§3.3.3). The
        /// bearer is closed: tell the layer above and disconnect.
        case indicationTimeout
        /// This side's request was not answered within the transaction timeout (§3.3.3). The bearer
        /// is closed.
        case requestTimeout(ATTOpcode)
        /// Input dropped without an answer because the peer broke the protocol (a pipelined request,
        /// an unexpected response or confirmation, a malformed command, notification or indication).
        /// The bearer stays usable; the layer above may log it or disconnect.
        case protocolViolation(ATTError)
    }
}
