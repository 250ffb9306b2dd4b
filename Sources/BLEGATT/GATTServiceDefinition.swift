import BLEATT

/// What a primary service should be, before ``GATTDatabase`` assigns its handles (Bluetooth Core
/// 5.4, Vol 3, Part G, §3.1): a UUID and its characteristics in order.
public struct GATTServiceDefinition: Hashable, Sendable {
    /// The service UUID.
    public var uuid: ATTUUID
    /// The characteristics, laid out in this order.
    public var characteristics: [GATTCharacteristicDefinition]

    /// A primary service definition.
    public init(uuid: ATTUUID, characteristics: [GATTCharacteristicDefinition]) {
        self.uuid = uuid
        self.characteristics = characteristics
    }
}
