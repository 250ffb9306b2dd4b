import BLEATT

extension GATTServer {
    /// How the server answers one request: a response PDU, or an Error Response (Part F §3.4.1.1).
    enum Reply: Hashable, Sendable {
        case pdu(ATTPDU)
        case error(ATTErrorCode, handle: UInt16)
    }
}
