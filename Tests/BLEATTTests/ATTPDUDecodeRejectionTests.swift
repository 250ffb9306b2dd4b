import BLEATT
import Testing

/// Octets `ATTPDU.decode` must reject, with the code and the Error Response mapping.
struct Rejection: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let code: ATTError.Code
    var errorCode: ATTErrorCode = .invalidPDU
    var handle: UInt16 = 0
    var testDescription: String { name }
}

/// The decoder rejects every malformed layout of Bluetooth Core 5.4, Vol 3, Part F, §3.4 with a
/// typed error (never a trap), mapped to the Error Response of §3.4.1.1.
@Suite struct ATTPDUDecodeRejectionTests {
    static let rejections: [Rejection] = [
        Rejection(name: "empty", bytes: [], code: .truncated),
        Rejection(name: "Error Response short", bytes: hex("01 0A 05 00"), code: .truncated),
        Rejection(name: "Error Response long", bytes: hex("01 0A 05 00 0A 00"), code: .trailingBytes),
        Rejection(name: "Exchange MTU Request short", bytes: hex("02 F7"), code: .truncated),
        Rejection(name: "Exchange MTU Response long", bytes: hex("03 F7 00 00"), code: .trailingBytes),
        Rejection(name: "Find Information Request long", bytes: hex("04 0100 FFFF 00"), code: .trailingBytes),
        Rejection(name: "Find Information Request start 0", bytes: hex("04 0000 FFFF"), code: .invalidHandle, errorCode: .invalidHandle, handle: 0),
        Rejection(name: "Find Information Request start > end", bytes: hex("04 0900 0200"), code: .invalidHandle, errorCode: .invalidHandle, handle: 9),
        Rejection(name: "Find Information Response reserved format", bytes: hex("05 03 0100 0028"), code: .invalidPDU),
        Rejection(name: "Find Information Response partial pair", bytes: hex("05 01 0100 0028 02"), code: .invalidPDU),
        Rejection(name: "Find Information Response no pairs", bytes: hex("05 01"), code: .invalidPDU),
        Rejection(name: "Find Information Response format 2 with 16-bit pair", bytes: hex("05 02 0100 0028"), code: .invalidPDU),
        Rejection(name: "Find By Type Value Request short", bytes: hex("06 0100 FFFF 00"), code: .truncated),
        Rejection(name: "Find By Type Value Request start > end", bytes: hex("06 0500 0100 0028 0018"), code: .invalidHandle, errorCode: .invalidHandle, handle: 5),
        Rejection(name: "Find By Type Value Response partial", bytes: hex("07 0100 05"), code: .invalidPDU),
        Rejection(name: "Read By Type Request 3-octet type", bytes: hex("08 0100 FFFF 0328 00"), code: .invalidPDU),
        Rejection(name: "Read By Type Request no type", bytes: hex("08 0100 FFFF"), code: .invalidPDU),
        Rejection(name: "Read By Type Request start > end", bytes: hex("08 0300 0200 0328"), code: .invalidHandle, errorCode: .invalidHandle, handle: 3),
        Rejection(name: "Read By Type Response length 1", bytes: hex("09 01 0200"), code: .invalidPDU),
        Rejection(name: "Read By Type Response uneven list", bytes: hex("09 04 0200 0102 0400 03"), code: .invalidPDU),
        Rejection(name: "Read By Type Response empty list", bytes: hex("09 04"), code: .invalidPDU),
        Rejection(name: "Read Request short", bytes: hex("0A 03"), code: .truncated),
        Rejection(name: "Read Request long", bytes: hex("0A 0300 00"), code: .trailingBytes),
        Rejection(name: "Read Request handle 0", bytes: hex("0A 0000"), code: .invalidHandle, errorCode: .invalidHandle),
        Rejection(name: "Read Blob Request short", bytes: hex("0C 0300 16"), code: .truncated),
        Rejection(name: "Read Blob Request handle 0", bytes: hex("0C 0000 0000"), code: .invalidHandle, errorCode: .invalidHandle),
        Rejection(name: "Read Multiple Request (unsupported)", bytes: hex("0E 0100 0200"), code: .unsupportedOpcode, errorCode: .requestNotSupported),
        Rejection(name: "Read By Group Type Request 17-octet type", bytes: hex("10 0100 FFFF") + keyturnerServiceWire + [0], code: .invalidPDU),
        Rejection(name: "Read By Group Type Request start 0", bytes: hex("10 0000 FFFF 0028"), code: .invalidHandle, errorCode: .invalidHandle),
        Rejection(name: "Read By Group Type Response length 3", bytes: hex("11 03 0100 05"), code: .invalidPDU),
        Rejection(name: "Write Request short", bytes: hex("12 0F"), code: .truncated),
        Rejection(name: "Write Request handle 0", bytes: hex("12 0000 01"), code: .invalidHandle, errorCode: .invalidHandle),
        Rejection(name: "Write Response long", bytes: hex("13 00"), code: .trailingBytes),
        Rejection(name: "Prepare Write Request short", bytes: hex("16 0E00 00"), code: .truncated),
        Rejection(name: "Prepare Write Request handle 0", bytes: hex("16 0000 0000 AA"), code: .invalidHandle, errorCode: .invalidHandle),
        Rejection(name: "Execute Write Request reserved flags", bytes: hex("18 02"), code: .invalidPDU),
        Rejection(name: "Execute Write Request no flags", bytes: hex("18"), code: .truncated),
        Rejection(name: "Execute Write Response long", bytes: hex("19 00"), code: .trailingBytes),
        Rejection(name: "Notification handle 0", bytes: hex("1B 0000 01"), code: .invalidHandle, errorCode: .invalidHandle),
        Rejection(name: "Indication short", bytes: hex("1D 03"), code: .truncated),
        Rejection(name: "Confirmation long", bytes: hex("1E 00"), code: .trailingBytes),
        Rejection(name: "Read Multiple Variable Request (unsupported)", bytes: hex("20 0100 0200"), code: .unsupportedOpcode, errorCode: .requestNotSupported),
        Rejection(name: "Multiple Handle Value Notification (unsupported)", bytes: hex("23 0300 0100 01"), code: .unsupportedOpcode, errorCode: .requestNotSupported),
        Rejection(name: "undefined opcode 0x3F", bytes: hex("3F"), code: .unknownOpcode, errorCode: .requestNotSupported),
        Rejection(name: "undefined command 0x7F", bytes: hex("7F 01"), code: .unknownOpcode, errorCode: .requestNotSupported),
        Rejection(name: "Signed Write Command (unsupported)", bytes: hex("D2 0300 01") + [UInt8](repeating: 0, count: 12), code: .unsupportedOpcode, errorCode: .requestNotSupported),
    ]

    @Test(arguments: rejections)
    func rejects(_ rejection: Rejection) {
        let error = attError { () throws(ATTError) in try ATTPDU.decode(rejection.bytes) }
        #expect(error?.code == rejection.code)
        #expect(error?.errorResponseCode == rejection.errorCode)
        #expect(error?.attributeHandle == rejection.handle)
    }

    @Test func rejectsPDUsLongerThanTheMTU() throws {
        let write = hex("12 0F00") + [UInt8](repeating: 0x55, count: 21)  // 24 octets
        let error = attError { () throws(ATTError) in try ATTPDU.decode(write, mtu: 23) }
        #expect(error?.code == .exceedsMTU)
        #expect(error?.errorResponseCode == .invalidPDU)
        #expect(try ATTPDU.decode(write, mtu: 24) == .writeRequest(handle: 0x0F, value: [UInt8](repeating: 0x55, count: 21)))
        let huge = [UInt8](repeating: 0x0B, count: ATTLimits.maximumMTU + 1)
        #expect(attError { () throws(ATTError) in try ATTPDU.decode(huge) }?.code == .exceedsMTU)
    }

    /// Every byte as an opcode, alone and followed by junk: decode returns or throws, never traps.
    @Test func everyOpcodeWithJunkIsHandled() {
        for opcode in UInt8.min...UInt8.max {
            for tail in [[], [0x00], [0xFF, 0xFF], [UInt8](repeating: 0xA5, count: 30)] {
                let bytes = [opcode] + tail
                if let pdu = try? ATTPDU.decode(bytes) {
                    #expect(pdu.opcode.rawValue == opcode)
                    #expect(pdu.encoded() == bytes, "re-encoding \(bytes) differs")
                }
            }
        }
    }
}
