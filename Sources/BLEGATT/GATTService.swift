import BLEATT

/// A primary service as declared in a database or discovered by a client (Bluetooth Core 5.4,
/// Vol 3, Part G, §3.1, §4.4): the «Primary Service» declaration at ``handle`` (value = the
/// service UUID, 2 or 16 octets LE) groups every attribute up to ``endGroupHandle``.
public struct GATTService: Hashable, Sendable {
    /// The service UUID.
    public var uuid: ATTUUID
    /// The handle of the service declaration.
    public var handle: UInt16
    /// The last handle of the service's group.
    public var endGroupHandle: UInt16
    /// The characteristics, in handle order (empty until discovered, for a client).
    public var characteristics: [GATTCharacteristic]

    /// A service.
    public init(uuid: ATTUUID, handle: UInt16, endGroupHandle: UInt16, characteristics: [GATTCharacteristic] = []) {
        self.uuid = uuid
        self.handle = handle
        self.endGroupHandle = endGroupHandle
        self.characteristics = characteristics
    }

    /// The first characteristic with an equivalent UUID.
    public func characteristic(_ uuid: ATTUUID) -> GATTCharacteristic? {
        characteristics.first { $0.uuid.isEquivalent(to: uuid) }
    }
}
