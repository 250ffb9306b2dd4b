/// A connection that carries whole ATT PDUs, one per message, in order, both ways — what an L2CAP
/// LE fixed channel CID 0x0004 gives the Attribute Protocol (Bluetooth Core 5.4, Vol 3, Part F,
/// §3.2.8; Vol 3, Part A). Feed received PDUs to an `ATTBearer` and send what it returns.
///
/// Implementations: ``InProcessLink`` (two endpoints in memory, polled, deterministic),
/// ``SeqPacketLink`` (Unix `SOCK_SEQPACKET`, one PDU per datagram, the semantics of a BlueZ L2CAP
/// LE socket), ``CaptureTap`` (records another link's PDUs to btsnoop or pcap).
public protocol ATTLink: AnyObject, Sendable {
    /// The longest PDU the link carries (default 517, the largest ATT_MTU `BLEATT` negotiates).
    /// This bounds what may be sent; the ATT_MTU in force is the bearer's business.
    var maximumPDUSize: Int { get }

    /// Sends one whole PDU. Throws ``TransportError/Code/closed``, ``TransportError/Code/emptyPDU``,
    /// ``TransportError/Code/pduTooLarge``, ``TransportError/Code/timeout`` or a system error.
    func send(_ pdu: [UInt8]) throws(TransportError)

    /// The next whole PDU, waiting at most `timeout` (`.zero` polls); `nil` when none arrived in
    /// time. Throws ``TransportError/Code/closed`` once the peer has gone and nothing is queued.
    func receive(timeout: Duration) throws(TransportError) -> [UInt8]?

    /// Closes this end; the peer's next receive after draining its queue throws closed. Idempotent.
    func close()

    /// A file descriptor that `poll(2)`/`epoll(7)` report readable when a PDU (or the peer's close)
    /// is waiting and writable when ``trySend(_:)`` has room, or nil for a link with no descriptor
    /// (``InProcessLink``): an event loop then reads it on every turn.
    var pollDescriptor: Int32? { get }

    /// Sends one whole PDU without waiting: true when it went out, false when the link has no room
    /// now (nothing was sent; wait for ``pollDescriptor`` to be writable and try again). Throws as
    /// ``send(_:)`` does, never ``TransportError/Code/timeout``.
    func trySend(_ pdu: [UInt8]) throws(TransportError) -> Bool
}

extension ATTLink {
    /// No descriptor: the link is polled.
    public var pollDescriptor: Int32? { nil }

    /// ``send(_:)``, which never waits on a link without a descriptor.
    public func trySend(_ pdu: [UInt8]) throws(TransportError) -> Bool {
        try send(pdu)
        return true
    }
}
