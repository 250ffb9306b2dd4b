/// The role an ATT PDU plays in the protocol's flow control (Bluetooth Core 5.4, Vol 3, Part F,
/// §3.3.2 Sequential protocol and §3.4.9 Attribute PDU response summary).
public enum ATTOpcodeKind: Hashable, Sendable {
    /// Client → server, answered by exactly one response or Error Response; one outstanding at a time.
    case request
    /// Server → client, answers the outstanding request.
    case response
    /// Client → server, no response, no flow control (command flag set).
    case command
    /// Server → client, no confirmation, no flow control.
    case notification
    /// Server → client, answered by a confirmation; one outstanding at a time.
    case indication
    /// Client → server, answers the outstanding indication.
    case confirmation
}
