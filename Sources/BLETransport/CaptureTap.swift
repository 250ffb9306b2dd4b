/// An ``ATTLink`` that passes everything through to another link and records each PDU in a
/// ``CaptureWriter``: sends as ``CaptureDirection/sent``, receives as
/// ``CaptureDirection/received`` (so tap one end only, normally the emulated peripheral's).
///
/// ``wrapping(_:environment:)`` taps only when `$LATCHKEY_CAPTURE` names a file.
public final class CaptureTap: ATTLink {
    /// The link underneath.
    public let link: any ATTLink
    /// Where records go.
    public let writer: CaptureWriter
    /// The ACL connection handle written into every record (12 bits).
    public let connectionHandle: UInt16

    /// A tap on `link` writing to `writer`.
    public init(link: any ATTLink, writer: CaptureWriter, connectionHandle: UInt16 = 0x0040) {
        self.link = link
        self.writer = writer
        self.connectionHandle = connectionHandle
    }

    /// `link` tapped into the file `environment["LATCHKEY_CAPTURE"]` names when set, else `link`
    /// itself (the CLI passes the process's environment).
    public static func wrapping(_ link: any ATTLink, environment: [String: String]) -> any ATTLink {
        guard let writer = CaptureWriter.fromEnvironment(environment) else { return link }
        return CaptureTap(link: link, writer: writer)
    }

    /// The underlying link's limit.
    public var maximumPDUSize: Int { link.maximumPDUSize }

    /// Sends through, then records what was sent.
    public func send(_ pdu: [UInt8]) throws(TransportError) {
        try link.send(pdu)
        writer.record(pdu, direction: .sent, connectionHandle: connectionHandle)
    }

    /// The underlying link's descriptor.
    public var pollDescriptor: Int32? { link.pollDescriptor }

    /// Sends through without waiting; records the PDU only when it went out.
    public func trySend(_ pdu: [UInt8]) throws(TransportError) -> Bool {
        guard try link.trySend(pdu) else { return false }
        writer.record(pdu, direction: .sent, connectionHandle: connectionHandle)
        return true
    }

    /// Receives through and records what arrived.
    public func receive(timeout: Duration) throws(TransportError) -> [UInt8]? {
        guard let pdu = try link.receive(timeout: timeout) else { return nil }
        writer.record(pdu, direction: .received, connectionHandle: connectionHandle)
        return pdu
    }

    /// Closes the underlying link (not the writer, which may be shared).
    public func close() { link.close() }
}
