import LockCrypto
import LockNFC
import LockWire
import Testing

private func sharedKey(_ fill: UInt8 = 0x42) -> SharedKey {
    // swift-format-ignore: a fixed test key
    try! SharedKey(rawBytes: [UInt8](repeating: fill, count: 32))  // swiftlint:disable:this force_try
}

private let challenge = Bytes32([UInt8](0..<32))!

@Suite("APDU codec (ISO/IEC 7816-4 short)")
struct APDUCodecTests {
    @Test func commandCasesRoundTrip() throws {
        let cases: [CommandAPDU] = [
            CommandAPDU(cla: 0, ins: 0xA4, p1: 4, p2: 0),
            CommandAPDU(cla: 0, ins: 0xB0, p1: 0, p2: 0, le: 256),
            CommandAPDU(cla: 0x80, ins: 0xA1, p1: 0, p2: 0, data: [1, 2, 3]),
            LatchkeyNFC.selectCommand,
            LatchkeyNFC.authenticateCommand(challenge: challenge.bytes),
        ]
        for apdu in cases {
            #expect(try CommandAPDU(decoding: apdu.encoded) == apdu)
        }
        #expect(LatchkeyNFC.selectCommand.encoded == [0x00, 0xA4, 0x04, 0x00, 0x09, 0xF0, 0x4C, 0x41, 0x54, 0x43, 0x48, 0x4B, 0x45, 0x59, 0x00])
    }

    @Test func malformedCommandsThrow() {
        for bytes: [UInt8] in [[], [0, 0xA4, 4], [0, 0xA4, 4, 0, 5, 1, 2], [0, 0xA4, 4, 0, 0, 0, 1], [0, 0xA4, 4, 0, 2, 1, 2, 3, 4]] {
            #expect(throws: NFCError.self) { try CommandAPDU(decoding: bytes) }
        }
    }

    @Test func responseSplitsStatusWord() throws {
        let r = try ResponseAPDU(decoding: [1, 2, 0x90, 0x00])
        #expect(r.data == [1, 2] && r.status == .success)
        #expect(r.encoded == [1, 2, 0x90, 0x00])
        #expect(throws: NFCError.self) { try ResponseAPDU(decoding: [0x90]) }
        #expect(StatusWord.applicationNotFound.description == "6A82")
    }
}

@Suite("Card application and reader")
struct CardApplicationTests {
    let key = NFCCardKey.derive(from: sharedKey(), credentialID: 7)

    @Test func cardKeyIsHMACOfLabelAndCredentialID() {
        let expected = HMACSHA256.authenticate(key: sharedKey(), parts: [Array("Latchkey NFC card key v1".utf8), [7, 0, 0, 0]])
        let bytes = key.secret.withUnsafeBytes { Array($0) }
        #expect(bytes == expected.bytes)
        let other = NFCCardKey.derive(from: sharedKey(), credentialID: 8).secret.withUnsafeBytes { Array($0) }
        #expect(other != bytes)
        #expect("\(key)" == "NFCCardKey(redacted)")
    }

    @Test func readerAuthenticatesCardAndCounterRises() throws {
        var card = NFCCardApplication(credentialID: 7, key: key)
        let first = try NFCCardReader.authenticate(challenge: challenge, over: &card)
        #expect(first.credentialID == 7 && first.counter == 1)
        #expect(first.verifies(key: key, challenge: challenge.bytes))
        let expected = HMACSHA256.authenticate(key: key.secret, parts: [challenge.bytes, [7, 0, 0, 0, 1, 0, 0, 0]])
        #expect(first.authenticator == expected)
        let second = try NFCCardReader.authenticate(challenge: challenge, over: &card)
        #expect(second.counter == 2 && card.counter == 2)
        // Another challenge, another key: no verification.
        #expect(!first.verifies(key: key, challenge: Bytes32.zero.bytes))
        #expect(!first.verifies(key: NFCCardKey.derive(from: sharedKey(1), credentialID: 7), challenge: challenge.bytes))
    }

    @Test func statusWords() {
        var card = NFCCardApplication(credentialID: 7, key: key)
        func sw(_ bytes: [UInt8]) -> StatusWord { (try? ResponseAPDU(decoding: card.respond(to: bytes) as [UInt8]))?.status ?? StatusWord(rawValue: 0) }
        #expect(sw(NFCCardReader.authenticateCommand(challenge: challenge)) == .securityStatusNotSatisfied)
        #expect(sw([0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00, 0x00]) == .applicationNotFound)
        #expect(sw([0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]) == .incorrectP1P2)
        #expect(sw(NFCCardReader.selectCommand) == .success)
        #expect(sw([0x80, 0xA1, 0x00, 0x00, 0x02, 0x01, 0x02, 0x28]) == .wrongLength)
        #expect(sw([0x80, 0xA1, 0x01, 0x00] + [0x20] + challenge.bytes) == .incorrectP1P2)
        #expect(sw([0x80, 0xB0, 0x00, 0x00]) == .instructionNotSupported)
        #expect(sw([0x90, 0xA1, 0x00, 0x00]) == .classNotSupported)
        #expect(sw([0x80]) == .wrongLength)
        // Selecting another application deselects ours.
        _ = sw([0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00])
        #expect(sw(NFCCardReader.authenticateCommand(challenge: challenge)) == .securityStatusNotSatisfied)
    }

    @Test func exhaustedCounterBlocksAndNeverWraps() throws {
        var card = NFCCardApplication(credentialID: 7, key: key, counter: UInt32.max - 1)
        #expect(try NFCCardReader.authenticate(challenge: challenge, over: &card).counter == UInt32.max)
        #expect(throws: NFCError.self) { try NFCCardReader.authenticate(challenge: challenge, over: &card) }
        #expect(card.counter == UInt32.max)
    }

    @Test func uidOnlyTagHasNoApplication() {
        struct UIDOnlyTag: NFCCardChannel {
            mutating func transceive(_ command: [UInt8]) throws(NFCError) -> [UInt8] { [0x6A, 0x82] }
        }
        var tag = UIDOnlyTag()
        #expect { try NFCCardReader.authenticate(challenge: challenge, over: &tag) } throws: { ($0 as? NFCError)?.code == .noApplication }
    }

    @Test func readerRefusesMismatchedAnswers() {
        #expect(throws: NFCError.self) { try NFCCardReader.readSelect([0x02, 7, 0, 0, 0, 0x90, 0x00]) }  // version 2
        #expect(throws: NFCError.self) { try NFCCardReader.readSelect([0x01, 7, 0, 0, 0x90, 0x00]) }  // short
        var card = NFCCardApplication(credentialID: 7, key: key)
        _ = card.respond(to: NFCCardReader.selectCommand) as [UInt8]
        let answer: [UInt8] = card.respond(to: NFCCardReader.authenticateCommand(challenge: challenge))
        #expect(throws: NFCError.self) { try NFCCardReader.readAuthenticate(answer, credentialID: 8) }
        #expect(throws: NFCError.self) { try NFCCardReader.readAuthenticate(Array(answer.dropFirst()), credentialID: 7) }
        #expect((try? NFCCardReader.readAuthenticate(answer, credentialID: 7))?.counter == 1)
    }

    @Test func assertionRoundTrips() throws {
        let a = NFCCardAssertion(credentialID: 0x01020304, counter: 9, authenticator: challenge)
        #expect(a.encoded.prefix(8) == [4, 3, 2, 1, 9, 0, 0, 0])
        #expect(try NFCCardAssertion(decoding: a.encoded) == a)
    }
}
