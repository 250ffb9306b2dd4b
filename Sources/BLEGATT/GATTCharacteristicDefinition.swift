import BLEATT

/// What a characteristic should be, before ``GATTDatabase`` assigns its handles (Bluetooth Core
/// 5.4, Vol 3, Part G, §3.3).
///
/// The database lays it out as a declaration (0x2803), the value, and — when ``properties``
/// include notify or indicate — a Client Characteristic Configuration descriptor (0x2902), which
/// §3.3.3.3 makes mandatory for those properties.
public struct GATTCharacteristicDefinition: Hashable, Sendable {
    /// The characteristic UUID.
    public var uuid: ATTUUID
    /// The declared properties (§3.3.1.1).
    public var properties: GATTCharacteristicProperties
    /// The value's permissions (Part F §3.2.5); by default derived from ``properties`` (read →
    /// read; write or write without response → write).
    public var permissions: GATTPermissions
    /// The value a read returns.
    public var value: [UInt8]
    /// The longest value a client may write (≤ 512, Part F §3.2.9).
    public var maximumLength: Int

    /// A characteristic definition.
    public init(uuid: ATTUUID, properties: GATTCharacteristicProperties, permissions: GATTPermissions? = nil, value: [UInt8] = [], maximumLength: Int = ATTLimits.maximumAttributeValue) {
        self.uuid = uuid
        self.properties = properties
        var derived: GATTPermissions = []
        if properties.contains(.read) { derived.insert(.read) }
        if !properties.isDisjoint(with: [.write, .writeWithoutResponse]) { derived.insert(.write) }
        self.permissions = permissions ?? derived
        self.value = value
        self.maximumLength = maximumLength
    }

    /// True when the layout includes a CCCD (§3.3.3.3).
    public var hasClientConfiguration: Bool { !properties.isDisjoint(with: [.notify, .indicate]) }
}
