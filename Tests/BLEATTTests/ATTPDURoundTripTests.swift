import BLEATT
import Testing

/// One PDU with its octets written by hand from the layout of Bluetooth Core 5.4, Vol 3, Part F, §3.4.
struct PDUVector: Sendable, CustomTestStringConvertible {
    let name: String
    let pdu: ATTPDU
    let bytes: [UInt8]
    var testDescription: String { name }
}

/// Every ATT PDU round-trips: decode(spec octets) == value and value.encoded() == spec octets.
@Suite struct ATTPDURoundTripTests {
    static let vectors: [PDUVector] = [
        // §3.4.1.1: request opcode 0x0A, handle 0x0005, Attribute Not Found.
        PDUVector(name: "Error Response", pdu: .errorResponse(ATTErrorResponse(requestOpcode: .readRequest, handle: 5, error: .attributeNotFound)), bytes: hex("01 0A 05 00 0A")),
        PDUVector(name: "Error Response, undefined request opcode", pdu: .errorResponse(ATTErrorResponse(requestOpcode: ATTOpcode(rawValue: 0x3F), handle: 0, error: .requestNotSupported)), bytes: hex("01 3F 00 00 06")),
        // §3.4.2.1/2: Client Rx MTU 247, Server Rx MTU 517.
        PDUVector(name: "Exchange MTU Request", pdu: .exchangeMTURequest(clientRxMTU: 247), bytes: hex("02 F7 00")),
        PDUVector(name: "Exchange MTU Response", pdu: .exchangeMTUResponse(serverRxMTU: 517), bytes: hex("03 05 02")),
        // §3.4.3.1/2.
        PDUVector(name: "Find Information Request", pdu: .findInformationRequest(.all), bytes: hex("04 01 00 FF FF")),
        PDUVector(name: "Find Information Response format 1", pdu: .findInformationResponse([
            ATTInformationEntry(handle: 1, type: ATTUUID(0x2800)), ATTInformationEntry(handle: 2, type: ATTUUID(0x2803)),
        ]), bytes: hex("05 01 0100 0028 0200 0328")),
        PDUVector(name: "Find Information Response format 2", pdu: .findInformationResponse([
            ATTInformationEntry(handle: 0x0010, type: keyturnerService),
        ]), bytes: hex("05 02 1000") + keyturnerServiceWire),
        // §3.4.3.3/4: Primary Service (0x2800) whose value is Generic Access 0x1800.
        PDUVector(name: "Find By Type Value Request", pdu: .findByTypeValueRequest(.all, type: 0x2800, value: [0x00, 0x18]), bytes: hex("06 0100 FFFF 0028 0018")),
        PDUVector(name: "Find By Type Value Request, empty value", pdu: .findByTypeValueRequest(ATTHandleRange(start: 1, end: 1), type: 0x2800, value: []), bytes: hex("06 0100 0100 0028")),
        PDUVector(name: "Find By Type Value Response", pdu: .findByTypeValueResponse([
            ATTHandleRange(start: 1, end: 5), ATTHandleRange(start: 0x10, end: 0xFFFF),
        ]), bytes: hex("07 0100 0500 1000 FFFF")),
        // §3.4.4.1/2: Characteristic declarations (0x2803).
        PDUVector(name: "Read By Type Request, 16-bit type", pdu: .readByTypeRequest(.all, type: ATTUUID(0x2803)), bytes: hex("08 0100 FFFF 0328")),
        PDUVector(name: "Read By Type Request, 128-bit type", pdu: .readByTypeRequest(ATTHandleRange(start: 1, end: 0x20), type: keyturnerService), bytes: hex("08 0100 2000") + keyturnerServiceWire),
        PDUVector(name: "Read By Type Response", pdu: .readByTypeResponse([
            ATTAttributeData(handle: 2, value: hex("02 0300 002A")), ATTAttributeData(handle: 4, value: hex("02 0500 012A")),
        ]), bytes: hex("09 07 0200 02 0300 002A 0400 02 0500 012A")),
        PDUVector(name: "Read By Type Response, empty values", pdu: .readByTypeResponse([ATTAttributeData(handle: 7, value: [])]), bytes: hex("09 02 0700")),
        // §3.4.4.3–6.
        PDUVector(name: "Read Request", pdu: .readRequest(handle: 3), bytes: hex("0A 0300")),
        PDUVector(name: "Read Response", pdu: .readResponse(value: Array("Lock".utf8)), bytes: hex("0B 4C 6F 63 6B")),
        PDUVector(name: "Read Response, empty", pdu: .readResponse(value: []), bytes: hex("0B")),
        PDUVector(name: "Read Blob Request", pdu: .readBlobRequest(handle: 3, offset: 22), bytes: hex("0C 0300 1600")),
        PDUVector(name: "Read Blob Response", pdu: .readBlobResponse(value: [1, 2]), bytes: hex("0D 01 02")),
        // §3.4.4.9/10: primary services.
        PDUVector(name: "Read By Group Type Request", pdu: .readByGroupTypeRequest(.all, groupType: ATTUUID(0x2800)), bytes: hex("10 0100 FFFF 0028")),
        PDUVector(name: "Read By Group Type Response, 16-bit services", pdu: .readByGroupTypeResponse([
            ATTGroupData(handle: 1, endGroupHandle: 5, value: hex("0018")), ATTGroupData(handle: 6, endGroupHandle: 9, value: hex("0118")),
        ]), bytes: hex("11 06 0100 0500 0018 0600 0900 0118")),
        PDUVector(name: "Read By Group Type Response, 128-bit service", pdu: .readByGroupTypeResponse([
            ATTGroupData(handle: 0x10, endGroupHandle: 0x1F, value: keyturnerServiceWire),
        ]), bytes: hex("11 14 1000 1F00") + keyturnerServiceWire),
        // §3.4.5.1–3: enable indications in a CCCD.
        PDUVector(name: "Write Request", pdu: .writeRequest(handle: 0x0F, value: [0x02, 0x00]), bytes: hex("12 0F00 0200")),
        PDUVector(name: "Write Request, empty value", pdu: .writeRequest(handle: 0x0F, value: []), bytes: hex("12 0F00")),
        PDUVector(name: "Write Response", pdu: .writeResponse, bytes: hex("13")),
        PDUVector(name: "Write Command", pdu: .writeCommand(handle: 0x0E, value: [0xAA]), bytes: hex("52 0E00 AA")),
        // §3.4.6.1–4.
        PDUVector(name: "Prepare Write Request", pdu: .prepareWriteRequest(ATTPreparedWrite(handle: 0x0E, offset: 18, value: [0xAA, 0xBB])), bytes: hex("16 0E00 1200 AA BB")),
        PDUVector(name: "Prepare Write Response", pdu: .prepareWriteResponse(ATTPreparedWrite(handle: 0x0E, offset: 0, value: [0xAA])), bytes: hex("17 0E00 0000 AA")),
        PDUVector(name: "Execute Write Request, cancel", pdu: .executeWriteRequest(.cancel), bytes: hex("18 00")),
        PDUVector(name: "Execute Write Request, write", pdu: .executeWriteRequest(.write), bytes: hex("18 01")),
        PDUVector(name: "Execute Write Response", pdu: .executeWriteResponse, bytes: hex("19")),
        // §3.4.7.1–3.
        PDUVector(name: "Handle Value Notification", pdu: .handleValueNotification(handle: 3, value: [1]), bytes: hex("1B 0300 01")),
        PDUVector(name: "Handle Value Indication", pdu: .handleValueIndication(handle: 0x0E, value: [1, 2]), bytes: hex("1D 0E00 01 02")),
        PDUVector(name: "Handle Value Confirmation", pdu: .handleValueConfirmation, bytes: hex("1E")),
    ]

    @Test(arguments: vectors)
    func decodesSpecOctets(_ vector: PDUVector) throws {
        #expect(try ATTPDU.decode(vector.bytes) == vector.pdu)
        #expect(vector.pdu.opcode.rawValue == vector.bytes.first)
    }

    @Test(arguments: vectors)
    func encodesSpecOctets(_ vector: PDUVector) throws {
        #expect(vector.pdu.encoded() == vector.bytes)
        #expect(try ATTPDU.decode(vector.pdu.encoded()) == vector.pdu)
    }

    @Test func everyImplementedOpcodeHasAVector() {
        let covered = Set(Self.vectors.map(\.pdu.opcode))
        let implemented = ATTOpcode.documented.map(\.opcode).filter { !ATTOpcode.unsupported.contains($0) }
        #expect(implemented.count == 25)
        for opcode in implemented { #expect(covered.contains(opcode), "no vector for \(opcode)") }
    }

    @Test func decodesFromASliceWithANonZeroStartIndex() throws {
        let framed = hex("FF FF 0A 0300 EE")
        #expect(try ATTPDU.decode(framed[2..<5]) == .readRequest(handle: 3))
    }

    @Test func mixedWidthFindInformationEncodesAllAs128Bit() throws {
        let pdu = ATTPDU.findInformationResponse([
            ATTInformationEntry(handle: 1, type: ATTUUID(0x2800)), ATTInformationEntry(handle: 2, type: keyturnerService),
        ])
        let bytes = pdu.encoded()
        #expect(bytes.count == 2 + 2 * 18)
        #expect(Array(bytes.prefix(2)) == [0x05, 0x02])
        guard case .findInformationResponse(let entries) = try ATTPDU.decode(bytes) else {
            Issue.record("not a Find Information Response")
            return
        }
        #expect(entries.map(\.type) == [ATTUUID(0x2800).expanded, keyturnerService])
        #expect(entries.first?.type.isEquivalent(to: ATTUUID(0x2800)) == true)
    }

    /// §3.4.4.2: pairs of one response share one length; the server sends those of the first length.
    @Test func readByTypeResponseKeepsTheLeadingPairsOfOneLength() throws {
        let pdu = ATTPDU.readByTypeResponse([
            ATTAttributeData(handle: 2, value: [1, 2]), ATTAttributeData(handle: 4, value: [3, 4]),
            ATTAttributeData(handle: 6, value: [5, 6, 7]), ATTAttributeData(handle: 8, value: [8, 9]),
        ])
        #expect(pdu.encoded() == hex("09 04 0200 0102 0400 0304"))
        let long = ATTPDU.readByTypeResponse([ATTAttributeData(handle: 2, value: [UInt8](repeating: 7, count: 300))])
        #expect(long.encoded().count == 2 + 255)
        #expect(long.encoded()[1] == 0xFF)
        let group = ATTPDU.readByGroupTypeResponse([ATTGroupData(handle: 1, endGroupHandle: 2, value: [UInt8](repeating: 7, count: 300))])
        #expect(group.encoded().count == 2 + 255)
    }
}
