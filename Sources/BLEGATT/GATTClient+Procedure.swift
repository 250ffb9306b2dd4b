import BLEATT

extension GATTClient {
    /// A GATT client procedure (Bluetooth Core 5.4, Vol 3, Part G, §4). Procedures run one at a
    /// time, in the order given (Part F §3.3.2 allows one outstanding request).
    public enum Procedure: Hashable, Sendable {
        /// §4.3.1 Exchange MTU: `02 | Client Rx MTU u16 LE`.
        case exchangeMTU(clientRxMTU: UInt16)
        /// §4.4.1 Discover All Primary Services: Read By Group Type «Primary Service» from 0x0001,
        /// continued after each response's last End Group Handle until Attribute Not Found.
        case discoverPrimaryServices
        /// §4.4.2 Discover Primary Service by Service UUID: Find By Type Value «Primary Service» =
        /// the UUID's wire octets, continued likewise.
        case discoverPrimaryService(ATTUUID)
        /// §4.6.1 Discover All Characteristics of a Service: Read By Type «Characteristic» over the
        /// service's range, continued after each response's last handle.
        case discoverCharacteristics(GATTService)
        /// §4.7.1 Discover All Characteristic Descriptors: Find Information from the value handle + 1
        /// to the characteristic's end.
        case discoverDescriptors(GATTCharacteristic)
        /// §4.4.1 + §4.6.1 + §4.7.1 for every service and characteristic: the whole profile, ending
        /// with ``Event/discoveryCompleted(_:)``.
        case discoverAll
        /// §4.8.1 Read Characteristic Value, continued as §4.8.3 Read Long (Read Blob) while a
        /// response fills ATT_MTU − 1.
        case read(handle: UInt16)
        /// §4.9.3 Write Characteristic Value (Write Request) when the value fits ATT_MTU − 3, else
        /// §4.9.4 Write Long Characteristic Values: Prepare Write Requests of ATT_MTU − 5 octets at
        /// increasing offsets, each echo checked, then Execute Write 0x01.
        case write(handle: UInt16, value: [UInt8])
        /// §4.9.1 Write Without Response (Write Command); the value must fit ATT_MTU − 3.
        case writeWithoutResponse(handle: UInt16, value: [UInt8])
        /// §4.12.3 Write Characteristic Descriptors on the CCCD (§3.3.3.3): `02 00` to enable
        /// indications, `00 00` to disable them.
        case setIndications(GATTCharacteristic, enabled: Bool)
    }
}
