import BLEATT

extension GATTClient {
    /// What the client reports, in order.
    public enum Event: Hashable, Sendable {
        /// Octets to transmit (one ATT PDU each), in order.
        case send([UInt8])
        /// ATT_MTU changed after Exchange MTU (§4.3.1).
        case mtuChanged(Int)
        /// ``Procedure/exchangeMTU(clientRxMTU:)`` completed; the ATT_MTU now in force.
        case mtuExchanged(Int)
        /// Primary services found (§4.4.1, §4.4.2), in handle order.
        case servicesDiscovered([GATTService])
        /// The characteristics of a service (§4.6.1), with end handles set.
        case characteristicsDiscovered(GATTService, [GATTCharacteristic])
        /// The descriptors of a characteristic (§4.7.1).
        case descriptorsDiscovered(GATTCharacteristic, [GATTDescriptor])
        /// ``Procedure/discoverAll`` completed: every service with its characteristics and descriptors.
        case discoveryCompleted([GATTService])
        /// A read completed with the whole value (§4.8.1, §4.8.3).
        case valueRead(handle: UInt16, value: [UInt8])
        /// A write, long write or CCCD write completed (§4.9.3, §4.9.4, §4.12.3).
        case valueWritten(handle: UInt16)
        /// A procedure failed: an Error Response, an invalid response, a timeout, or a local refusal.
        case failed(Procedure, GATTError)
        /// A Handle Value Indication arrived (§4.11.1); its confirmation is already among the sends.
        case indication(handle: UInt16, value: [UInt8])
        /// A Handle Value Notification arrived (§4.10.1).
        case notification(handle: UInt16, value: [UInt8])
        /// Input dropped without an answer (see ``BLEATT/ATTBearer/Event/protocolViolation(_:)``).
        case protocolViolation(ATTError)
    }
}
