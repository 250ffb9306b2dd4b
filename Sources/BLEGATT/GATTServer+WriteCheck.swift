import BLEATT

extension GATTServer {
    /// The outcome of checking a write against handle, permission and length (Part F §3.4.5.1).
    enum WriteCheck: Sendable {
        case accepted(GATTAttribute)
        case refused(ATTErrorCode)
    }
}
