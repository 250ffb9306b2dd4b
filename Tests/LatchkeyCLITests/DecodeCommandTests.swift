import ArgumentParser
import LockCrypto
import LockWire
import Testing

@testable import latchkey

/// `latchkey decode`: the built-in transcript decodes completely; rejections name the lock's answer.
@Suite struct DecodeCommandTests {
    static func setADecoder() throws -> FrameDecoder {
        var decoder = FrameDecoder()
        let client = try KeyPair(secretKeyBytes: Hex.decode(SetATranscript.clientSecretKey) ?? [])
        decoder.key = try SharedKey(ownKeyPair: client, peerPublicKey: try #require(Bytes32(Hex.decode(SetATranscript.lockPublicKey) ?? [])))
        return decoder
    }

    @Test func builtInTranscriptDecodesEveryFrame() throws {
        let decoder = try Self.setADecoder()
        let results = SetATranscript.frames.enumerated().map { i, frame in
            decoder.decode(Hex.decode(frame.hex) ?? [], index: i + 1, sender: frame.sender)
        }
        #expect(results.allSatisfy { $0.error == nil })
        #expect(results.map(\.command) == [
            "REQUEST_DATA", "PUBLIC_KEY", "PUBLIC_KEY", "CHALLENGE", "AUTHORIZATION_AUTHENTICATOR", "CHALLENGE",
            "AUTHORIZATION_DATA", "AUTHORIZATION_ID", "AUTHORIZATION_ID_CONFIRMATION", "STATUS", "REQUEST_DATA",
            "KEYTURNER_STATES", "REQUEST_DATA", "CHALLENGE", "LOCK_ACTION",
        ])
        #expect(results.filter { $0.channel == "encrypted" }.allSatisfy { $0.authID == 2 })
        #expect(results[11].payload == "020100E0070307080F1E3C0000200A")
        #expect(results[14].text.contains("action: UNLOCK(0x01)"))
    }

    @Test func corruptedFramesAreRejectedWithTheLockAnswer() throws {
        let decoder = try Self.setADecoder()
        var lockAction = Hex.decode(SetATranscript.frames[14].hex) ?? []
        lockAction[40] ^= 0x01
        let mac = decoder.decode(lockAction, index: 1)
        #expect(mac.channel == "encrypted")
        #expect(mac.nukiError == "K_ERROR_NOT_AUTHORIZED(0x20)")

        let badCRC = decoder.decode([0x01, 0x00, 0x03, 0x00, 0x27, 0xA8], index: 2)
        #expect(badCRC.channel == "plain")
        #expect(badCRC.nukiError == "ERROR_BAD_CRC(0xFD)")

        var plain = decoder
        plain.channel = .plain
        let unknown = plain.decode(PlainFrame(command: Command(rawValue: 0x0002), payload: []).encoded(), index: 3)
        #expect(unknown.command == "0x0002")
        #expect(unknown.nukiError == "ERROR_UNKNOWN(0xFF)")

        let noKey = FrameDecoder().decode(Hex.decode(SetATranscript.frames[10].hex) ?? [], index: 4)
        #expect(noKey.nukiError == "K_ERROR_NOT_AUTHORIZED(0x20)")
    }

    @Test func usageErrorsAreRejectedBeforeRunning() {
        #expect(throws: (any Error).self) { try DecodeCommand.parse(["--key", "00"]) }
        #expect(throws: (any Error).self) { try DecodeCommand.parse(["--channel", "radio"]) }
        #expect(throws: (any Error).self) { try DecodeCommand.parse(["XYZ"]) }
        #expect(Latchkey.exitCode(for: ValidationError("x")).rawValue == 64)
    }

    /// Found by a new-user probe: names with CR, ESC and LF rewrote the terminal in text mode.
    @Test func controlCharactersFromFramesAreEscapedInText() throws {
        var name = [UInt8](repeating: 0, count: 32)
        name.replaceSubrange(0..<6, with: [0x0D, 0x1B, 0x5B, 0x32, 0x4B, 0x0A])
        let data = AuthorizationData(authenticator: .zero, idType: .app, id: 0, name: FixedName(rawBytes: name), clientNonce: .zero)
        let text = FrameDecoder().decode(PlainFrame(data).encoded(), index: 1).text
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
        #expect(text.contains("\\u{D}\\u{1B}[2K\\u{A}"))
    }

    /// Found by a new-user probe: a long plain frame with a bad CRC was blamed on the encrypted envelope.
    @Test func autoModeBlamesTheCRCOfALongPlainFrame() throws {
        var frame = Hex.decode(SetATranscript.frames[6].hex) ?? []
        frame[frame.count - 1] ^= 0x01
        let result = FrameDecoder().decode(frame, index: 1)
        #expect(result.channel == "plain")
        #expect(result.nukiError == "ERROR_BAD_CRC(0xFD)")
        #expect(result.frame == Hex.encode(frame))
    }

    @Test func hexErrorsSayWhatIsWrong() {
        #expect(throws: (any Error).self) { try DecodeCommand.parseHex("010", what: "frame") }
        #expect((try? DecodeCommand.parseHex("01 00", what: "frame")) == [1, 0])
        do {
            _ = try DecodeCommand.parseHex("010", what: "frame")
        } catch {
            #expect("\(error)".contains("odd number of hex digits"))
        }
    }
}
