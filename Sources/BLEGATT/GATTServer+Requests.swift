import BLEATT

// Request answering of GATTServer: Bluetooth Core 5.4, Vol 3, Part F §3.4 and Part G §4.
extension GATTServer {
    /// The value `attribute` has for `connection`: CCCDs are per connection (Part G §3.3.3.3).
    private func value(of attribute: GATTAttribute, _ connection: Connection) -> [UInt8] {
        guard attribute.type == GATTAttributeType.clientCharacteristicConfiguration else { return attribute.value }
        let bits = connection.clientConfigurations[attribute.handle] ?? 0
        return [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
    }

    func answer(_ pdu: ATTPDU, connection: inout Connection, id: GATTConnectionID) -> (Reply, [Event]) {
        let mtu = connection.bearer.mtu
        switch pdu {
        case .findInformationRequest(let range):
            // F §3.4.3.2: pairs of one format; as many as fit ATT_MTU − 2.
            let found = database.attributes(in: range)
            guard let first = found.first else { return (.error(.attributeNotFound, handle: range.start), []) }
            let width = first.type.wireLength
            let fit = (mtu - 2) / (2 + width)
            let entries = found.prefix { $0.type.wireLength == width }.prefix(fit).map { ATTInformationEntry(handle: $0.handle, type: $0.type) }
            return (.pdu(.findInformationResponse(Array(entries))), [])

        case .findByTypeValueRequest(let range, let type, let wanted):
            // F §3.4.3.4: (found handle, group end) pairs, as many as fit ATT_MTU − 1.
            let uuid = ATTUUID(type)
            let fit = (mtu - 1) / 4
            var ranges: [ATTHandleRange] = []
            for attribute in database.attributes(in: range) where ranges.count < fit {
                guard attribute.type.isEquivalent(to: uuid), attribute.permissions.contains(.read),
                    value(of: attribute, connection) == wanted
                else { continue }
                let end = database.service(declaredAt: attribute.handle)?.endGroupHandle ?? attribute.handle
                ranges.append(ATTHandleRange(start: attribute.handle, end: end))
            }
            guard !ranges.isEmpty else { return (.error(.attributeNotFound, handle: range.start), []) }
            return (.pdu(.findByTypeValueResponse(ranges)), [])

        case .readByTypeRequest(let range, let type):
            // F §3.4.4.2: pairs of one length, values cut to min(ATT_MTU − 4, 253).
            let matches = database.attributes(in: range).filter { $0.type.isEquivalent(to: type) }
            guard let first = matches.first else { return (.error(.attributeNotFound, handle: range.start), []) }
            guard first.permissions.contains(.read) else { return (.error(.readNotPermitted, handle: first.handle), []) }
            let firstValue = value(of: first, connection)
            let cut = min(mtu - 4, ATTLimits.maximumReadByTypeValue)
            let length = min(firstValue.count, cut)
            let fit = (mtu - 2) / (2 + length)
            var pairs: [ATTAttributeData] = []
            for attribute in matches where pairs.count < fit {
                guard attribute.permissions.contains(.read) else { break }
                let v = value(of: attribute, connection)
                guard v.count == firstValue.count else { break }
                pairs.append(ATTAttributeData(handle: attribute.handle, value: Array(v.prefix(length))))
            }
            return (.pdu(.readByTypeResponse(pairs)), [])

        case .readRequest(let handle):
            guard let attribute = database.attribute(handle) else { return (.error(.invalidHandle, handle: handle), []) }
            guard attribute.permissions.contains(.read) else { return (.error(.readNotPermitted, handle: handle), []) }
            return (.pdu(.readResponse(value: Array(value(of: attribute, connection).prefix(mtu - 1)))), [])

        case .readBlobRequest(let handle, let offset):
            guard let attribute = database.attribute(handle) else { return (.error(.invalidHandle, handle: handle), []) }
            guard attribute.permissions.contains(.read) else { return (.error(.readNotPermitted, handle: handle), []) }
            let v = value(of: attribute, connection)
            let start = Int(offset)
            guard start <= v.count else { return (.error(.invalidOffset, handle: handle), []) }
            return (.pdu(.readBlobResponse(value: Array(v[start...].prefix(mtu - 1)))), [])

        case .readByGroupTypeRequest(let range, let groupType):
            // F §3.4.4.9: only grouping types; Part G §4.4.1 discovers «Primary Service».
            guard groupType.isEquivalent(to: GATTAttributeType.primaryService) else {
                if groupType.isEquivalent(to: GATTAttributeType.secondaryService) {
                    return (.error(.attributeNotFound, handle: range.start), [])
                }
                return (.error(.unsupportedGroupType, handle: range.start), [])
            }
            let found = database.services.filter { range.contains($0.handle) }
            guard let first = found.first else { return (.error(.attributeNotFound, handle: range.start), []) }
            let length = min(first.uuid.wireLength, mtu - 6, ATTLimits.maximumReadByGroupTypeValue)
            let fit = (mtu - 2) / (4 + length)
            let entries = found.prefix { $0.uuid.wireLength == first.uuid.wireLength }.prefix(fit)
                .map { ATTGroupData(handle: $0.handle, endGroupHandle: $0.endGroupHandle, value: $0.uuid.wireBytes) }
            return (.pdu(.readByGroupTypeResponse(Array(entries))), [])

        case .writeRequest(let handle, let value):
            switch checkWrite(handle, value) {
            case .refused(let code): return (.error(code, handle: handle), [])
            case .accepted(let attribute): return (.pdu(.writeResponse), apply(value, to: attribute, connection: &connection, id: id))
            }

        case .prepareWriteRequest(let write):
            // F §3.4.6.1: handle and permission now, offset and length at Execute Write.
            guard let attribute = database.attribute(write.handle) else { return (.error(.invalidHandle, handle: write.handle), []) }
            guard attribute.permissions.contains(.write) else { return (.error(.writeNotPermitted, handle: write.handle), []) }
            return (.pdu(.prepareWriteResponse(write)), [])

        default:
            // Everything else the bearer answers itself; anything left is not a GATT server request.
            return (.error(.requestNotSupported, handle: 0), [])
        }
    }

    /// Execute Write with flags 0x01 (Part F §3.4.6.3; Part G §4.9.4): joins each handle's parts by
    /// offset from an empty value, validates all, then applies all.
    func execute(_ writes: [ATTPreparedWrite], connection: inout Connection, id: GATTConnectionID) -> (Reply, [Event]) {
        var order: [UInt16] = []
        var joined: [UInt16: [UInt8]] = [:]
        for part in writes {
            guard let attribute = database.attribute(part.handle) else { return (.error(.invalidHandle, handle: part.handle), []) }
            guard attribute.permissions.contains(.write) else { return (.error(.writeNotPermitted, handle: part.handle), []) }
            var value = joined[part.handle] ?? []
            if joined[part.handle] == nil { order.append(part.handle) }
            let offset = Int(part.offset)
            guard offset <= value.count else { return (.error(.invalidOffset, handle: part.handle), []) }
            let overlap = min(offset + part.value.count, value.count)
            value.replaceSubrange(offset..<overlap, with: part.value)
            guard value.count <= attribute.maximumLength else {
                return (.error(.invalidAttributeValueLength, handle: part.handle), [])
            }
            joined[part.handle] = value
        }
        var checked: [(GATTAttribute, [UInt8])] = []
        for handle in order {
            let value = joined[handle] ?? []
            switch checkWrite(handle, value) {
            case .refused(let code): return (.error(code, handle: handle), [])
            case .accepted(let attribute): checked.append((attribute, value))
            }
        }
        var events: [Event] = []
        for (attribute, value) in checked { events += apply(value, to: attribute, connection: &connection, id: id) }
        return (.pdu(.executeWriteResponse), events)
    }

    /// A Write Command (Part F §3.4.5.3): applied when valid, else dropped (never answered).
    func command(_ pdu: ATTPDU, connection: inout Connection, id: GATTConnectionID) -> [Event] {
        guard case .writeCommand(let handle, let value) = pdu else { return [] }
        switch checkWrite(handle, value) {
        case .refused(let code):
            return [.protocolViolation(id, ATTError(.invalidPDU, "Write Command to handle \(handle) dropped: \(code)"))]
        case .accepted(let attribute):
            return apply(value, to: attribute, connection: &connection, id: id)
        }
    }

    /// Invalid Handle, Write Not Permitted, Invalid Attribute Value Length (Part F §3.4.5.1); a CCCD
    /// takes exactly 2 octets (Part G §3.3.3.3).
    private func checkWrite(_ handle: UInt16, _ value: [UInt8]) -> WriteCheck {
        guard let attribute = database.attribute(handle) else { return .refused(.invalidHandle) }
        guard attribute.permissions.contains(.write) else { return .refused(.writeNotPermitted) }
        guard value.count <= attribute.maximumLength else { return .refused(.invalidAttributeValueLength) }
        if attribute.type == GATTAttributeType.clientCharacteristicConfiguration, value.count != 2 {
            return .refused(.invalidAttributeValueLength)
        }
        return .accepted(attribute)
    }

    private func apply(_ value: [UInt8], to attribute: GATTAttribute, connection: inout Connection, id: GATTConnectionID) -> [Event] {
        if attribute.type == GATTAttributeType.clientCharacteristicConfiguration {
            guard let characteristic = database.characteristic(clientConfigurationHandle: attribute.handle), value.count == 2 else { return [] }
            let bits = UInt16(value[0]) | UInt16(value[1]) << 8
            connection.clientConfigurations[attribute.handle] = bits
            if bits & 0x0002 == 0 { connection.dropIndications() }
            return [.clientConfigurationChanged(id, characteristic, bits)]
        }
        guard let characteristic = database.characteristic(valueHandle: attribute.handle) else { return [] }
        return [.valueWritten(id, characteristic, value)]
    }
}
