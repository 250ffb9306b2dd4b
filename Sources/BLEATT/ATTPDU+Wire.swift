// Codec of ATTPDU: exact layouts of Bluetooth Core 5.4, Vol 3, Part F, §3.4.

extension ATTPDU {
    /// Decodes one whole ATT PDU (opcode first), rejecting anything malformed with a typed error that
    /// maps to the Error Response a server sends (``ATTError/errorResponseCode``).
    ///
    /// Rules, Bluetooth Core 5.4, Vol 3, Part F:
    /// - an empty PDU, a fixed-size PDU of the wrong size, trailing bytes, a list whose length is not
    ///   a multiple of its entry size, an empty list, a reserved Find Information format or Execute
    ///   Write flag, a type UUID neither 2 nor 16 octets: Invalid PDU (§3.3, §3.4);
    /// - a PDU longer than `mtu` octets: ``ATTError/Code/exceedsMTU`` (Invalid PDU) (§3.2.8);
    /// - handle 0x0000 in a Read, Read Blob, Write, Prepare Write Request, Write Command, Handle Value
    ///   Notification or Indication (§3.2.2: 0x0000 is reserved), a starting handle of 0x0000 or
    ///   greater than the ending handle in a range request (§3.4.3.1, §3.4.3.3, §3.4.4.1, §3.4.4.9):
    ///   Invalid Handle with that handle;
    /// - an undefined opcode: ``ATTError/Code/unknownOpcode``; a defined one without a case
    ///   (``ATTOpcode/unsupported``): ``ATTError/Code/unsupportedOpcode`` (Request Not Supported).
    public static func decode(_ bytes: ArraySlice<UInt8>, mtu: Int = ATTLimits.maximumMTU) throws(ATTError) -> ATTPDU {
        guard let first = bytes.first else { throw ATTError(.truncated, "empty ATT PDU") }
        guard bytes.count <= mtu else {
            throw ATTError(.exceedsMTU, "\(bytes.count)-octet PDU exceeds ATT_MTU \(mtu)")
        }
        let opcode = ATTOpcode(rawValue: first)
        let body = bytes.dropFirst()
        switch opcode {
        case .errorResponse:
            var r = ATTReader(body, context: "Error Response")
            let request = ATTOpcode(rawValue: try r.readUInt8("request opcode"))
            let handle = try r.readUInt16("attribute handle")
            let code = ATTErrorCode(rawValue: try r.readUInt8("error code"))
            try r.finish()
            return .errorResponse(ATTErrorResponse(requestOpcode: request, handle: handle, error: code))
        case .exchangeMTURequest:
            var r = ATTReader(body, context: "Exchange MTU Request")
            let mtu = try r.readUInt16("Client Rx MTU")
            try r.finish()
            return .exchangeMTURequest(clientRxMTU: mtu)
        case .exchangeMTUResponse:
            var r = ATTReader(body, context: "Exchange MTU Response")
            let mtu = try r.readUInt16("Server Rx MTU")
            try r.finish()
            return .exchangeMTUResponse(serverRxMTU: mtu)
        case .findInformationRequest:
            var r = ATTReader(body, context: "Find Information Request")
            let range = try r.readRange()
            try r.finish()
            try checkRequest(range, "Find Information Request")
            return .findInformationRequest(range)
        case .findInformationResponse:
            var r = ATTReader(body, context: "Find Information Response")
            let format = try r.readUInt8("format")
            let width: Int
            switch format {
            case 0x01: width = 2
            case 0x02: width = 16
            default: throw ATTError(.invalidPDU, "Find Information Response: reserved format \(format)")
            }
            try r.checkList(entrySize: 2 + width, "information data")
            var entries: [ATTInformationEntry] = []
            while r.count > 0 {
                let handle = try r.readUInt16("handle")
                entries.append(ATTInformationEntry(handle: handle, type: try r.readUUID(width: width, "UUID")))
            }
            return .findInformationResponse(entries)
        case .findByTypeValueRequest:
            var r = ATTReader(body, context: "Find By Type Value Request")
            let range = try r.readRange()
            let type = try r.readUInt16("attribute type")
            let value = r.readRest()
            try checkRequest(range, "Find By Type Value Request")
            return .findByTypeValueRequest(range, type: type, value: value)
        case .findByTypeValueResponse:
            var r = ATTReader(body, context: "Find By Type Value Response")
            try r.checkList(entrySize: 4, "handles information list")
            var ranges: [ATTHandleRange] = []
            while r.count > 0 { ranges.append(try r.readRange()) }
            return .findByTypeValueResponse(ranges)
        case .readByTypeRequest:
            var r = ATTReader(body, context: "Read By Type Request")
            let range = try r.readRange()
            let type = try r.readUUID(width: r.count, "attribute type")
            try checkRequest(range, "Read By Type Request")
            return .readByTypeRequest(range, type: type)
        case .readByTypeResponse:
            var r = ATTReader(body, context: "Read By Type Response")
            let length = try r.readEntryLength(minimum: 2)
            try r.checkList(entrySize: length, "attribute data list")
            var list: [ATTAttributeData] = []
            while r.count > 0 {
                let handle = try r.readUInt16("handle")
                list.append(ATTAttributeData(handle: handle, value: Array(try r.readBytes(length - 2, "value"))))
            }
            return .readByTypeResponse(list)
        case .readRequest:
            var r = ATTReader(body, context: "Read Request")
            let handle = try r.readUInt16("handle")
            try r.finish()
            try checkHandle(handle, "Read Request")
            return .readRequest(handle: handle)
        case .readResponse:
            var r = ATTReader(body, context: "Read Response")
            return .readResponse(value: r.readRest())
        case .readBlobRequest:
            var r = ATTReader(body, context: "Read Blob Request")
            let handle = try r.readUInt16("handle")
            let offset = try r.readUInt16("value offset")
            try r.finish()
            try checkHandle(handle, "Read Blob Request")
            return .readBlobRequest(handle: handle, offset: offset)
        case .readBlobResponse:
            var r = ATTReader(body, context: "Read Blob Response")
            return .readBlobResponse(value: r.readRest())
        case .readByGroupTypeRequest:
            var r = ATTReader(body, context: "Read By Group Type Request")
            let range = try r.readRange()
            let type = try r.readUUID(width: r.count, "attribute group type")
            try checkRequest(range, "Read By Group Type Request")
            return .readByGroupTypeRequest(range, groupType: type)
        case .readByGroupTypeResponse:
            var r = ATTReader(body, context: "Read By Group Type Response")
            let length = try r.readEntryLength(minimum: 4)
            try r.checkList(entrySize: length, "attribute data list")
            var list: [ATTGroupData] = []
            while r.count > 0 {
                let handle = try r.readUInt16("attribute handle")
                let end = try r.readUInt16("end group handle")
                let value = Array(try r.readBytes(length - 4, "value"))
                list.append(ATTGroupData(handle: handle, endGroupHandle: end, value: value))
            }
            return .readByGroupTypeResponse(list)
        case .writeRequest:
            let (handle, value) = try decodeHandleValue(body, "Write Request")
            return .writeRequest(handle: handle, value: value)
        case .writeResponse:
            try ATTReader(body, context: "Write Response").finish()
            return .writeResponse
        case .writeCommand:
            let (handle, value) = try decodeHandleValue(body, "Write Command")
            return .writeCommand(handle: handle, value: value)
        case .prepareWriteRequest:
            return .prepareWriteRequest(try decodePreparedWrite(body, "Prepare Write Request"))
        case .prepareWriteResponse:
            return .prepareWriteResponse(try decodePreparedWrite(body, "Prepare Write Response"))
        case .executeWriteRequest:
            var r = ATTReader(body, context: "Execute Write Request")
            let raw = try r.readUInt8("flags")
            try r.finish()
            guard let flags = ATTExecuteWriteFlags(rawValue: raw) else {
                throw ATTError(.invalidPDU, "Execute Write Request: reserved flags \(raw)")
            }
            return .executeWriteRequest(flags)
        case .executeWriteResponse:
            try ATTReader(body, context: "Execute Write Response").finish()
            return .executeWriteResponse
        case .handleValueNotification:
            let (handle, value) = try decodeHandleValue(body, "Handle Value Notification")
            return .handleValueNotification(handle: handle, value: value)
        case .handleValueIndication:
            let (handle, value) = try decodeHandleValue(body, "Handle Value Indication")
            return .handleValueIndication(handle: handle, value: value)
        case .handleValueConfirmation:
            try ATTReader(body, context: "Handle Value Confirmation").finish()
            return .handleValueConfirmation
        default:
            if ATTOpcode.unsupported.contains(opcode) {
                throw ATTError(.unsupportedOpcode, "\(opcode) is not supported")
            }
            throw ATTError(.unknownOpcode, "undefined opcode \(opcode)")
        }
    }

    /// Decodes one whole ATT PDU from an array (see ``decode(_:mtu:)``).
    public static func decode(_ bytes: [UInt8], mtu: Int = ATTLimits.maximumMTU) throws(ATTError) -> ATTPDU {
        try decode(bytes[...], mtu: mtu)
    }

    /// The wire octets, opcode first, exactly as laid out in §3.4 (see each case).
    ///
    /// Encoding never fails and never checks the ATT_MTU: ``ATTBearer/send(_:at:)`` does. Lists are
    /// written as documented on their cases; an empty list encodes a PDU that ``decode(_:mtu:)``
    /// rejects (§3.4 requires at least one entry).
    public func encoded() -> [UInt8] {
        var w = ATTWriter(opcode: opcode)
        switch self {
        case .errorResponse(let e):
            w.write(e.requestOpcode.rawValue)
            w.write(e.handle)
            w.write(e.error.rawValue)
        case .exchangeMTURequest(let mtu), .exchangeMTUResponse(let mtu):
            w.write(mtu)
        case .findInformationRequest(let range):
            w.write(range)
        case .findInformationResponse(let entries):
            let short = entries.allSatisfy(\.type.is16Bit)
            w.write(short ? UInt8(0x01) : UInt8(0x02))
            for entry in entries {
                w.write(entry.handle)
                w.write(short ? entry.type : entry.type.expanded)
            }
        case .findByTypeValueRequest(let range, let type, let value):
            w.write(range)
            w.write(type)
            w.write(contentsOf: value)
        case .findByTypeValueResponse(let ranges):
            for range in ranges { w.write(range) }
        case .readByTypeRequest(let range, let type), .readByGroupTypeRequest(let range, let type):
            w.write(range)
            w.write(type)
        case .readByTypeResponse(let list):
            let valueLength = min(list.first?.value.count ?? 0, ATTLimits.maximumReadByTypeValue)
            w.write(UInt8(truncatingIfNeeded: 2 + valueLength))
            for item in list.prefix(while: { min($0.value.count, ATTLimits.maximumReadByTypeValue) == valueLength }) {
                w.write(item.handle)
                w.write(contentsOf: item.value.prefix(valueLength))
            }
        case .readByGroupTypeResponse(let list):
            let valueLength = min(list.first?.value.count ?? 0, ATTLimits.maximumReadByGroupTypeValue)
            w.write(UInt8(truncatingIfNeeded: 4 + valueLength))
            for item in list.prefix(while: { min($0.value.count, ATTLimits.maximumReadByGroupTypeValue) == valueLength }) {
                w.write(item.handle)
                w.write(item.endGroupHandle)
                w.write(contentsOf: item.value.prefix(valueLength))
            }
        case .readRequest(let handle):
            w.write(handle)
        case .readResponse(let value), .readBlobResponse(let value):
            w.write(contentsOf: value)
        case .readBlobRequest(let handle, let offset):
            w.write(handle)
            w.write(offset)
        case .writeRequest(let handle, let value), .writeCommand(let handle, let value),
            .handleValueNotification(let handle, let value), .handleValueIndication(let handle, let value):
            w.write(handle)
            w.write(contentsOf: value)
        case .prepareWriteRequest(let p), .prepareWriteResponse(let p):
            w.write(p.handle)
            w.write(p.offset)
            w.write(contentsOf: p.value)
        case .executeWriteRequest(let flags):
            w.write(flags.rawValue)
        case .writeResponse, .executeWriteResponse, .handleValueConfirmation:
            break
        }
        return w.bytes
    }

    /// `handle u16 | value`, with handle 0x0000 rejected (§3.2.2).
    private static func decodeHandleValue(
        _ body: ArraySlice<UInt8>, _ context: StaticString
    ) throws(ATTError) -> (UInt16, [UInt8]) {
        var r = ATTReader(body, context: context)
        let handle = try r.readUInt16("handle")
        let value = r.readRest()
        try checkHandle(handle, context)
        return (handle, value)
    }

    /// `handle u16 | offset u16 | part value`, with handle 0x0000 rejected (§3.2.2).
    private static func decodePreparedWrite(
        _ body: ArraySlice<UInt8>, _ context: StaticString
    ) throws(ATTError) -> ATTPreparedWrite {
        var r = ATTReader(body, context: context)
        let handle = try r.readUInt16("handle")
        let offset = try r.readUInt16("value offset")
        let value = r.readRest()
        try checkHandle(handle, context)
        return ATTPreparedWrite(handle: handle, offset: offset, value: value)
    }

    /// §3.2.2: handle 0x0000 is reserved and never names an attribute.
    private static func checkHandle(_ handle: UInt16, _ context: StaticString) throws(ATTError) {
        guard handle != 0x0000 else {
            throw ATTError(.invalidHandle, "\(context): handle 0x0000 is reserved", attributeHandle: 0x0000)
        }
    }

    /// §3.4.3.1 (and §3.4.3.3, §3.4.4.1, §3.4.4.9): Invalid Handle with the Starting Handle when it
    /// is 0x0000 or greater than the Ending Handle.
    private static func checkRequest(_ range: ATTHandleRange, _ context: StaticString) throws(ATTError) {
        guard !range.isInvalidRequestRange else {
            throw ATTError(
                .invalidHandle, "\(context): starting handle \(range.start) with ending handle \(range.end)",
                attributeHandle: range.start)
        }
    }
}

extension ATTReader {
    /// `start u16 | end u16`.
    fileprivate mutating func readRange() throws(ATTError) -> ATTHandleRange {
        let start = try readUInt16("starting handle")
        let end = try readUInt16("ending handle")
        return ATTHandleRange(start: start, end: end)
    }

    /// The Length octet of a Read By Type or Read By Group Type Response, via `Int(exactly:)`,
    /// at least `minimum` (the handles it covers).
    fileprivate mutating func readEntryLength(minimum: Int) throws(ATTError) -> Int {
        let raw = try readUInt8("length")
        guard let length = Int(exactly: raw), length >= minimum else {
            throw ATTError(.invalidPDU, "\(context): length \(raw) is below \(minimum)")
        }
        return length
    }

    /// The rest is a non-empty list of `entrySize`-octet entries.
    fileprivate func checkList(entrySize: Int, _ field: StaticString) throws(ATTError) {
        guard entrySize > 0, count > 0, count % entrySize == 0 else {
            throw ATTError(.invalidPDU, "\(context): \(field) of \(count) octets is not a non-empty list of \(entrySize)-octet entries")
        }
    }
}
