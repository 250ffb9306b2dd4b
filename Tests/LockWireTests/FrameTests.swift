import LockWire
import Testing

/// CRC-16/CCITT-FALSE and the plain and encrypted frame layouts of docs/wire.md §2, against Set A.
@Suite struct FrameTests {
    @Test func crcVectorsFromTheSpec() throws {
        let vectors = try SetA.load()
        #expect(vectors.crc.count >= 4)
        for vector in vectors.crc {
            let input: [UInt8] = try #require(vector.input_ascii.map { Array($0.utf8) } ?? vector.input_hex.flatMap(Hex.decode))
            let crc = CRC16.checksum(input)
            #expect(Hex.encode([UInt8(crc >> 8), UInt8(crc & 0xFF)]) == vector.crc, "\(vector.name)")
            #expect(Hex.encode([UInt8(crc & 0xFF), UInt8(crc >> 8)]) == vector.wire, "\(vector.name)")
        }
    }

    @Test func crcCanBeComputedInParts() {
        let bytes = Array("123456789".utf8)
        #expect(CRC16.update(CRC16.checksum(bytes[..<4]), bytes[4...]) == 0x29B1)
    }

    @Test func plainPairingMessagesOfSetADecodeAndReencode() throws {
        let v = try SetA.load()
        let keys = [
            "request_public_key_message", "lock_public_key_message", "client_public_key_message",
            "challenge_1_message", "authorization_authenticator_message", "challenge_2_message",
            "authorization_data_message", "authorization_id_message", "authorization_id_confirmation_message",
            "status_complete_message",
        ]
        for key in keys {
            let bytes = try v.bytes(key)
            let frame = try PlainFrame.decode(bytes)
            let message = try NukiMessage.decode(command: frame.command, payload: frame.payload)
            #expect(PlainFrame(command: message.command, payload: message.encodedPayload()).encoded() == bytes, "\(key)")
        }
        let request = try PlainFrame.decode(try v.bytes("request_public_key_message"))
        #expect(try RequestData(payload: request.payload).requestedCommand == .publicKey)
        #expect(PlainFrame(Status(.complete)).encoded() == [0x0E, 0x00, 0x00, 0x9D, 0xD7])
    }

    @Test func authorizationDataOfSetADecodesToItsFields() throws {
        let v = try SetA.load()
        let frame = try PlainFrame.decode(try v.bytes("authorization_data_message"))
        let data = try AuthorizationData(payload: frame.payload)
        #expect(data.idType == .app)
        #expect(data.id == 0)
        #expect(data.name.text == "Marc (Test)")
        #expect(data.name.isWellFormed)
        #expect(data.clientNonce.bytes == (try v.bytes("authorization_data_client_nonce")))
        let id = try AuthorizationID(payload: try PlainFrame.decode(try v.bytes("authorization_id_message")).payload)
        #expect(id.authID == 2)
        #expect(id.lockUUID.bytes == (try v.bytes("authorization_id_uuid")))
    }

    @Test func plainFrameWithBadCRCIsBadCRC() throws {
        var bytes = try SetA.load().bytes("request_public_key_message")
        bytes[bytes.count - 1] ^= 0x01
        let error = wireError { () throws(WireError) in try PlainFrame.decode(bytes) }
        #expect(error?.code == .badCRC)
        #expect(error?.code.nukiErrorCode.rawValue == 0xFD)
    }

    @Test(arguments: [0, 1, 3] as [Int])
    func plainFrameShorterThanFourBytesIsBadLength(count: Int) {
        let error = wireError { () throws(WireError) in try PlainFrame.decode([UInt8](repeating: 0x01, count: count)) }
        #expect(error?.code == .truncated)
        #expect(error?.code.nukiErrorCode.rawValue == 0xFE)
    }

    @Test func encryptedEnvelopeOfSetASplitsIntoItsFields() throws {
        let v = try SetA.load()
        let frame = try EncryptedFrame.decode(try v.bytes("read_lock_state_message"))
        #expect(frame.nonce == (try v.bytes("read_lock_state_nonce")))
        #expect(frame.authID == 2)
        #expect(frame.ciphertext == (try v.bytes("read_lock_state_ciphertext")))
        #expect(frame.ciphertext.count == 0x1A)
        #expect(frame.encoded() == (try v.bytes("read_lock_state_message")))
    }

    @Test func encryptedPlaintextOfSetADecodes() throws {
        let v = try SetA.load()
        let plain = try EncryptedPlaintext.decode(try v.bytes("read_lock_state_plaintext"), expectedAuthID: 2)
        #expect(plain.command == .requestData)
        #expect(plain.payload == [0x0C, 0x00])
        #expect(plain.encoded() == (try v.bytes("read_lock_state_plaintext")))
        let lockAction = try EncryptedPlaintext.decode(try v.bytes("lock_action_plaintext"), expectedAuthID: 2)
        let request = try LockActionRequest(payload: lockAction.payload)
        #expect(request.action == .unlock)
        #expect(request.appID == 0)
        #expect(request.nameSuffix == nil)
    }

    /// P-01: shorter than the clear header, or than header + MAC + minimal plaintext.
    @Test(arguments: [0, 1, 29] as [Int])
    func encryptedFrameShorterThanItsHeaderIsBadLength(count: Int) {
        let error = wireError { () throws(WireError) in try EncryptedFrame.decode([UInt8](repeating: 0, count: count)) }
        #expect(error?.code == .truncated)
        #expect(error?.code.nukiErrorCode.rawValue == 0xFE)
    }

    static func envelope(lengthField: UInt16, following: Int) -> [UInt8] {
        [UInt8](repeating: 0x5A, count: 24) + [2, 0, 0, 0] + [UInt8(lengthField & 0xFF), UInt8(lengthField >> 8)]
            + [UInt8](repeating: 0xC3, count: following)
    }

    /// P-01, P-02, P-03: the length field below the minimum, above the limit, or disagreeing with the bytes.
    @Test(arguments: [
        (UInt16(0), 0), (UInt16(23), 23), (UInt16(26), 25), (UInt16(26), 27), (UInt16(0xFFFF), 26),
        (UInt16(WireLimits.maxCiphertextBytes + 1), WireLimits.maxCiphertextBytes + 1),
    ])
    func encryptedFrameWithWrongLengthFieldIsBadLength(lengthField: UInt16, following: Int) {
        let error = wireError { () throws(WireError) in
            try EncryptedFrame.decode(Self.envelope(lengthField: lengthField, following: following))
        }
        #expect(error?.code == .lengthOutOfRange)
        #expect(error?.code.nukiErrorCode.rawValue == 0xFE)
    }

    @Test func encryptedPlaintextWithBadCRCIsBadCRC() throws {
        var bytes = try SetA.load().bytes("read_lock_state_plaintext")
        bytes[5] ^= 0x80
        #expect(wireError { () throws(WireError) in try EncryptedPlaintext.decode(bytes, expectedAuthID: 2) }?.code.nukiErrorCode.rawValue == 0xFD)
    }

    @Test func innerAuthIDDifferentFromTheHeaderIsNotAuthorized() throws {
        let bytes = EncryptedPlaintext(authID: 3, command: .requestData, payload: [0x0C, 0x00]).encoded()
        let error = wireError { () throws(WireError) in try EncryptedPlaintext.decode(bytes, expectedAuthID: 2) }
        #expect(error?.code == .notAuthorized)
        #expect(error?.code.nukiErrorCode.rawValue == 0x20)
    }

    @Test func errorReportCarriesTheMappedCode() {
        let report = ErrorReport(WireError(.badCRC, "test"), commandID: Command(rawValue: 0))
        #expect(PlainFrame(report).encoded().prefix(5) == [0x12, 0x00, 0xFD, 0x00, 0x00])
    }
}
