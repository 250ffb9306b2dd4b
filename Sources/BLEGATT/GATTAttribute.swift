import BLEATT

/// One attribute of a ``GATTDatabase`` (Bluetooth Core 5.4, Vol 3, Part F, §3.2): handle, type,
/// permissions and value.
///
/// The value held here is the one a read returns. Characteristic values the server only receives
/// (writes) are not stored: the server reports them (``GATTServer/Event/valueWritten(_:_:_:)``).
/// A CCCD's stored value is ignored: CCCDs are per connection (Part G §3.3.3.3).
public struct GATTAttribute: Hashable, Sendable {
    /// The attribute handle, 0x0001…0xFFFF (§3.2.2).
    public var handle: UInt16
    /// The attribute type (§3.2.1).
    public var type: ATTUUID
    /// What a client may do (§3.2.5).
    public var permissions: GATTPermissions
    /// The value returned by reads, at most ``maximumLength`` octets.
    public var value: [UInt8]
    /// The longest value a write may set (at most 512, §3.2.9); a longer write is answered with
    /// Invalid Attribute Value Length (0x0D).
    public var maximumLength: Int

    /// An attribute; `maximumLength` is clamped into 0…512.
    public init(handle: UInt16, type: ATTUUID, permissions: GATTPermissions, value: [UInt8], maximumLength: Int = ATTLimits.maximumAttributeValue) {
        self.handle = handle
        self.type = type
        self.permissions = permissions
        self.value = value
        self.maximumLength = min(max(0, maximumLength), ATTLimits.maximumAttributeValue)
    }
}
