import BLEATT

extension GATTServer {
    /// What the server reports after ``GATTServer/receive(_:from:at:)``,
    /// ``GATTServer/indicate(_:on:to:at:)`` or ``GATTServer/tick(now:)``, in order.
    public enum Event: Hashable, Sendable {
        /// Octets to transmit on that connection, in order (one ATT PDU each).
        case send(GATTConnectionID, [UInt8])
        /// A client wrote a characteristic value: a Write Request (Part G §4.9.3), a Write Command
        /// (§4.9.1), or a long write (§4.9.4) whose prepared parts have been joined by offset into
        /// the whole value. Reported before the Write / Execute Write Response is sent.
        case valueWritten(GATTConnectionID, GATTCharacteristic, [UInt8])
        /// A client wrote a CCCD (Part G §3.3.3.3): bit 0 notifications, bit 1 indications.
        case clientConfigurationChanged(GATTConnectionID, GATTCharacteristic, UInt16)
        /// Every chunk of a message given to ``GATTServer/indicate(_:on:to:at:)`` was confirmed
        /// (Part F §3.4.7.3).
        case indicationConfirmed(GATTConnectionID, GATTCharacteristic)
        /// The connection's ATT_MTU changed after Exchange MTU (Part G §4.3.1).
        case mtuChanged(GATTConnectionID, Int)
        /// An indication was not confirmed within 30 s (Part F §3.3.3). The bearer is closed and
        /// the queued chunks are dropped: disconnect the client.
        case indicationTimeout(GATTConnectionID)
        /// Input dropped without an answer (see ``BLEATT/ATTBearer/Event/protocolViolation(_:)``).
        case protocolViolation(GATTConnectionID, ATTError)
    }
}
