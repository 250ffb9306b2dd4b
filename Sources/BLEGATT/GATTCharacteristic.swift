import BLEATT

/// A characteristic as declared in a database or discovered by a client (Bluetooth Core 5.4,
/// Vol 3, Part G, §3.3): its declaration, value and descriptor handles.
///
/// The declaration attribute (type 0x2803) holds
/// ```
/// properties u8 | value handle u16 LE | characteristic UUID (2 or 16 octets LE)
/// ```
/// (§3.3.1). The value attribute follows, then the descriptors up to ``endHandle`` (§3.3.3).
public struct GATTCharacteristic: Hashable, Sendable {
    /// The characteristic UUID (the value attribute's type).
    public var uuid: ATTUUID
    /// What a client may do with the value (§3.3.1.1).
    public var properties: GATTCharacteristicProperties
    /// The handle of the «Characteristic» declaration.
    public var declarationHandle: UInt16
    /// The handle of the characteristic value.
    public var valueHandle: UInt16
    /// The last handle of the characteristic definition: the last descriptor, or the value handle.
    public var endHandle: UInt16
    /// The descriptors, in handle order (empty until discovered, for a client).
    public var descriptors: [GATTDescriptor]

    /// A characteristic.
    public init(uuid: ATTUUID, properties: GATTCharacteristicProperties, declarationHandle: UInt16, valueHandle: UInt16, endHandle: UInt16, descriptors: [GATTDescriptor] = []) {
        self.uuid = uuid
        self.properties = properties
        self.declarationHandle = declarationHandle
        self.valueHandle = valueHandle
        self.endHandle = endHandle
        self.descriptors = descriptors
    }

    /// The handle of the Client Characteristic Configuration descriptor (0x2902), if present.
    public var clientConfigurationHandle: UInt16? {
        descriptors.first { $0.type.isEquivalent(to: GATTAttributeType.clientCharacteristicConfiguration) }?.handle
    }

    /// The declaration's value octets: `properties | value handle LE | UUID LE` (§3.3.1).
    public var declarationValue: [UInt8] {
        [properties.rawValue, UInt8(truncatingIfNeeded: valueHandle), UInt8(truncatingIfNeeded: valueHandle >> 8)] + uuid.wireBytes
    }
}
