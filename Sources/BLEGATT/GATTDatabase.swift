import BLEATT

/// A GATT server's attribute database (Bluetooth Core 5.4, Vol 3, Part G, §3): primary services
/// with their characteristics, laid out on consecutive handles from 0x0001.
///
/// Layout per service (§3.1, §3.3):
/// ```
/// handle n      «Primary Service» 0x2800      value = service UUID (2 or 16 octets LE)   read
/// handle n+1    «Characteristic»  0x2803      value = props | value handle LE | UUID LE  read
/// handle n+2    characteristic value          (per definition)
/// handle n+3    «CCCD»            0x2902      value = u16 LE, per connection             read, write
/// …
/// ```
/// Services appear in definition order; a client's Read By Group Type returns 16-bit and 128-bit
/// services in separate responses (Part F §3.4.4.10), which ``GATTClient`` handles.
public struct GATTDatabase: Hashable, Sendable {
    /// Every attribute, in handle order; `attributes[i].handle == i + 1`.
    public let attributes: [GATTAttribute]
    /// The primary services with their characteristics and descriptors.
    public let services: [GATTService]

    /// An empty database.
    public init() {
        attributes = []
        services = []
    }

    /// Lays out `definitions` from handle 0x0001. Throws ``GATTError/Code/tooManyAttributes`` past
    /// handle 0xFFFF.
    public init(_ definitions: [GATTServiceDefinition]) throws(GATTError) {
        var attributes: [GATTAttribute] = []
        var services: [GATTService] = []
        func nextHandle() throws(GATTError) -> UInt16 {
            guard let handle = UInt16(exactly: attributes.count + 1) else {
                throw GATTError(.tooManyAttributes, "the database needs more than 65535 handles")
            }
            return handle
        }
        for definition in definitions {
            let serviceHandle = try nextHandle()
            attributes.append(GATTAttribute(handle: serviceHandle, type: GATTAttributeType.primaryService, permissions: .read, value: definition.uuid.wireBytes))
            var characteristics: [GATTCharacteristic] = []
            for c in definition.characteristics {
                let declarationHandle = try nextHandle()
                attributes.append(GATTAttribute(handle: declarationHandle, type: GATTAttributeType.characteristic, permissions: .read, value: []))
                let valueHandle = try nextHandle()
                attributes.append(GATTAttribute(handle: valueHandle, type: c.uuid, permissions: c.permissions, value: c.value, maximumLength: c.maximumLength))
                var descriptors: [GATTDescriptor] = []
                if c.hasClientConfiguration {
                    let cccd = try nextHandle()
                    attributes.append(GATTAttribute(handle: cccd, type: GATTAttributeType.clientCharacteristicConfiguration, permissions: [.read, .write], value: [0, 0], maximumLength: 2))
                    descriptors.append(GATTDescriptor(handle: cccd, type: GATTAttributeType.clientCharacteristicConfiguration))
                }
                let characteristic = GATTCharacteristic(
                    uuid: c.uuid, properties: c.properties, declarationHandle: declarationHandle, valueHandle: valueHandle,
                    endHandle: descriptors.last?.handle ?? valueHandle, descriptors: descriptors)
                let index = Int(declarationHandle) - 1
                attributes[index].value = characteristic.declarationValue
                characteristics.append(characteristic)
            }
            let end = attributes.last?.handle ?? serviceHandle
            services.append(GATTService(uuid: definition.uuid, handle: serviceHandle, endGroupHandle: end, characteristics: characteristics))
        }
        self.attributes = attributes
        self.services = services
    }

    /// The attribute at `handle`, or `nil` (handle 0x0000 or past the last).
    public func attribute(_ handle: UInt16) -> GATTAttribute? {
        let index = Int(handle) - 1
        guard attributes.indices.contains(index) else { return nil }
        return attributes[index]
    }

    /// The attributes whose handles lie in `range`, in order.
    public func attributes(in range: ATTHandleRange) -> ArraySlice<GATTAttribute> {
        let lower = max(Int(range.start) - 1, 0)
        let upper = min(Int(range.end), attributes.count)
        guard lower < upper else { return [] }
        return attributes[lower..<upper]
    }

    /// The service whose group is `handle`'s declaration.
    public func service(declaredAt handle: UInt16) -> GATTService? {
        services.first { $0.handle == handle }
    }

    /// The first service with an equivalent UUID.
    public func service(_ uuid: ATTUUID) -> GATTService? {
        services.first { $0.uuid.isEquivalent(to: uuid) }
    }

    /// The characteristic whose value is at `valueHandle`.
    public func characteristic(valueHandle: UInt16) -> GATTCharacteristic? {
        for service in services {
            if let c = service.characteristics.first(where: { $0.valueHandle == valueHandle }) { return c }
        }
        return nil
    }

    /// The characteristic whose CCCD is at `handle`.
    public func characteristic(clientConfigurationHandle handle: UInt16) -> GATTCharacteristic? {
        for service in services {
            if let c = service.characteristics.first(where: { $0.clientConfigurationHandle == handle }) { return c }
        }
        return nil
    }

    /// The first characteristic with an equivalent UUID, in `service` when given.
    public func characteristic(_ uuid: ATTUUID, in service: ATTUUID? = nil) -> GATTCharacteristic? {
        for s in services where service.map({ s.uuid.isEquivalent(to: $0) }) ?? true {
            if let c = s.characteristic(uuid) { return c }
        }
        return nil
    }
}
