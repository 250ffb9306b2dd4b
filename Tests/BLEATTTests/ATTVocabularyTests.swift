import BLEATT
import Testing

/// Opcodes (§3.3.1, §3.4.8), error codes (§3.4.1.1 Table 3.4) and UUIDs (§3.2.1; Part B §2.5.1).
@Suite struct ATTVocabularyTests {
    @Test func opcodeFlags() {
        #expect(ATTOpcode.writeCommand.isCommand)
        #expect(!ATTOpcode.writeCommand.hasAuthenticationSignature)
        #expect(ATTOpcode.signedWriteCommand.isCommand)
        #expect(ATTOpcode.signedWriteCommand.hasAuthenticationSignature)
        #expect(ATTOpcode.signedWriteCommand.method == ATTOpcode.writeRequest.method)
        #expect(ATTOpcode.writeCommand.method == 0x12)
        #expect(!ATTOpcode.readRequest.isCommand)
        #expect(ATTOpcode(rawValue: 0x7F).kind == .command)
        #expect(ATTOpcode(rawValue: 0x3F).kind == .request)
    }

    @Test func opcodeTableMatchesTheSpec() {
        let expected: [UInt8] = [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10,
            0x11, 0x12, 0x13, 0x16, 0x17, 0x18, 0x19, 0x1B, 0x1D, 0x1E, 0x20, 0x21, 0x23, 0x52, 0xD2,
        ]
        #expect(ATTOpcode.documented.map(\.opcode.rawValue) == expected)
        #expect(Set(ATTOpcode.documented.map(\.name)).count == expected.count)
        #expect(ATTOpcode.readRequest.description == "ATT_READ_REQ (0x0A)")
        #expect(ATTOpcode(rawValue: 0x3F).description == "0x3F")
        #expect(ATTOpcode(rawValue: 0x3F).name == nil)
    }

    @Test func everyRequestHasItsResponse() {
        for (opcode, _) in ATTOpcode.documented where opcode.kind == .request {
            let response = opcode.responseOpcode
            #expect(response?.kind == .response, "\(opcode)")
            #expect(response?.isDocumented == true, "\(opcode)")
        }
        #expect(ATTOpcode.writeCommand.responseOpcode == nil)
        #expect(ATTOpcode.handleValueIndication.kind == .indication)
        #expect(ATTOpcode.handleValueConfirmation.kind == .confirmation)
        #expect(ATTOpcode.multipleHandleValueNotification.kind == .notification)
    }

    @Test func errorCodeTableMatchesTheSpec() {
        #expect(ATTErrorCode.documented.map(\.code.rawValue) == Array(0x01...0x13))
        #expect(ATTErrorCode.invalidPDU.rawValue == 0x04)
        #expect(ATTErrorCode.requestNotSupported.rawValue == 0x06)
        #expect(ATTErrorCode.prepareQueueFull.rawValue == 0x09)
        #expect(ATTErrorCode.invalidAttributeValueLength.rawValue == 0x0D)
        #expect(ATTErrorCode.valueNotAllowed.rawValue == 0x13)
        #expect(ATTErrorCode.prepareQueueFull.description == "Prepare Queue Full (0x09)")
        #expect(ATTErrorCode.application(0x05)?.rawValue == 0x85)
        #expect(ATTErrorCode.application(0x20) == nil)
        #expect(ATTErrorCode(rawValue: 0x80).isApplicationError)
        #expect(ATTErrorCode(rawValue: 0xFD).isCommonProfileError)
        #expect(ATTErrorCode(rawValue: 0xFD).description == "Common Profile Error (0xFD)")
        #expect(ATTErrorCode(rawValue: 0x20).description == "Reserved (0x20)")
    }

    @Test func uuid128IsLittleEndianOnTheWire() throws {
        let parsed = try #require(ATTUUID(string: "a92ee200-5501-11e4-916c-0800200c9a66"))
        #expect(parsed == keyturnerService)
        #expect(parsed.wireBytes == keyturnerServiceWire)
        #expect(parsed.wireLength == 16)
        #expect(ATTUUID(wireBytes: keyturnerServiceWire[...]) == parsed)
        #expect(parsed.description == "A92EE200-5501-11E4-916C-0800200C9A66")
        #expect(ATTUUID(string: parsed.description) == parsed)
        #expect(parsed.uuid16 == nil)
    }

    @Test func uuid16ExpandsOverTheBaseUUID() throws {
        let gap = ATTUUID(0x1800)
        #expect(gap.wireBytes == [0x00, 0x18])
        #expect(gap.description == "1800")
        #expect(gap.expanded.description == "00001800-0000-1000-8000-00805F9B34FB")
        #expect(gap.expanded.wireBytes == hex("FB 34 9B 5F 80 00 00 80 00 10 00 00 00 18 00 00"))
        #expect(gap.expanded.uuid16 == 0x1800)
        #expect(gap.isEquivalent(to: gap.expanded))
        #expect(gap != gap.expanded)
        #expect(!gap.isEquivalent(to: ATTUUID(0x1801)))
        #expect(ATTUUID(string: "0x2A00") == ATTUUID(0x2A00))
        #expect(ATTUUID(string: "2a00") == ATTUUID(0x2A00))
        #expect(ATTUUID(wireBytes: [0x00, 0x2A][...]) == ATTUUID(0x2A00))
    }

    @Test func malformedUUIDTextIsRejected() {
        for text in ["", "280", "28000", "xyz1", "0x", "a92ee200-5501-11e4-916c-0800200c9a6", "a92ee200-5501-11e4-916c-0800200c9a666",
                     "a92ee200+5501-11e4-916c-0800200c9a66", "g92ee200-5501-11e4-916c-0800200c9a66", "a92ee20-05501-11e4-916c-0800200c9a66"] {
            #expect(ATTUUID(string: text) == nil, "\(text)")
        }
        #expect(ATTUUID(wireBytes: [1, 2, 3][...]) == nil)
        #expect(ATTUUID(wireBytes: [][...]) == nil)
    }

    @Test func handleRangeRules() {
        #expect(ATTHandleRange(start: 0, end: 5).isInvalidRequestRange)
        #expect(ATTHandleRange(start: 6, end: 5).isInvalidRequestRange)
        #expect(!ATTHandleRange(start: 5, end: 5).isInvalidRequestRange)
        #expect(ATTHandleRange.all.contains(0xFFFF))
        #expect(!ATTHandleRange.all.contains(0))
    }
}
