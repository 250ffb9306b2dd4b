import BLEATT

/// A characteristic descriptor as found by Find Information (Bluetooth Core 5.4, Vol 3, Part G,
/// §3.3.3, §4.7.1): handle and type.
public struct GATTDescriptor: Hashable, Sendable {
    /// The descriptor's attribute handle.
    public var handle: UInt16
    /// The descriptor type, e.g. ``GATTAttributeType/clientCharacteristicConfiguration``.
    public var type: ATTUUID

    /// A descriptor.
    public init(handle: UInt16, type: ATTUUID) {
        self.handle = handle
        self.type = type
    }
}
