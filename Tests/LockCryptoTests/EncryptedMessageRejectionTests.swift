import LatchkeyTestSupport
import LockCrypto
import LockWire
import Testing

/// How EncryptedMessageCodec.open rejects frames, and the Nuki error code a lock answers with
/// (docs/wire.md §2.2, §9).
@Suite("Encrypted message rejections")
struct EncryptedMessageRejectionTests {
    let v: SetAVectors
    let s: SharedKey
    let message: [UInt8]

    init() throws {
        v = try SetAVectors.load()
        s = try setAKeys(v).s
        message = try v.bytes("lock_action_message")
    }

    private func open(_ bytes: [UInt8]) -> WireError? {
        let key = s
        return wireError { () throws(WireError) -> EncryptedPlaintext in
            try EncryptedMessageCodec.open(bytes) { $0 == 2 ? key : nil }
        }
    }

    @Test("a flipped bit in the MAC or in the ciphertext → notAuthorized (0x20), no plaintext",
          arguments: [30, 35, 45, 46, 60, 91])
    func flippedBit(_ offset: Int) throws {
        var tampered = message
        tampered[offset] ^= 0x01
        let error = try #require(open(tampered))
        #expect(error.code == .notAuthorized)
        #expect(error.code.nukiErrorCode == .notAuthorized)
        #expect(error.code.nukiErrorCode.rawValue == 0x20)
    }

    @Test("a flipped bit in the nonce → notAuthorized")
    func flippedNonce() throws {
        var tampered = message
        tampered[3] ^= 0x80
        #expect(open(tampered)?.code == .notAuthorized)
    }

    @Test("the detached open leaves the output untouched when the MAC fails")
    func detachedOpenWritesNothing() throws {
        var tampered = message
        tampered[31] ^= 0x01
        let mac = Array(tampered[30..<46])
        let ciphertext = Array(tampered[46...])
        let nonce = Array(tampered[0..<24])
        var out = [UInt8](repeating: 0xAA, count: ciphertext.count)
        let key = s
        let error = out.withUnsafeMutableBytes { o in
            ciphertext.withUnsafeBytes { c in
                mac.withUnsafeBytes { m in
                    nonce.withUnsafeBytes { n in
                        cryptoError { () throws(CryptoError) -> Void in
                            try SecretBox.open(ciphertext: c, mac: m, nonce: n, key: key, into: o)
                        }
                    }
                }
            }
        }
        #expect(error?.code == .verificationFailed)
        #expect(out.allSatisfy { $0 == 0xAA })
        #expect(cryptoError { () throws(CryptoError) -> [UInt8] in try SecretBox.open(tampered[30...], nonce: tampered[0..<24], key: key) }?.code
            == .verificationFailed)
    }

    @Test("an unknown auth id → notAuthorized (0x20) with no key used")
    func unknownAuthID() throws {
        var lookups: [UInt32] = []
        let error = wireError { () throws(WireError) -> EncryptedPlaintext in
            try EncryptedMessageCodec.open(message) { id in
                lookups.append(id)
                return nil
            }
        }
        #expect(error?.code == .notAuthorized)
        #expect(error?.code.nukiErrorCode.rawValue == 0x20)
        #expect(lookups == [2])
    }

    @Test("a key lookup is not consulted for a frame with a bad envelope")
    func envelopeFirst() {
        var lookups = 0
        let error = wireError { () throws(WireError) -> EncryptedPlaintext in
            try EncryptedMessageCodec.open(Array(message.dropLast())) { _ in
                lookups += 1
                return nil
            }
        }
        #expect(error?.code == .lengthOutOfRange)
        #expect(lookups == 0)
    }

    @Test("the wrong key → notAuthorized")
    func wrongKey() throws {
        let other = try SharedKey(rawBytes: [UInt8](repeating: 7, count: 32))
        let error = wireError { () throws(WireError) -> EncryptedPlaintext in
            try EncryptedMessageCodec.open(message) { _ in other }
        }
        #expect(error?.code == .notAuthorized)
    }

    @Test("inner auth id differing from the clear one → notAuthorized (0x20)")
    func innerAuthIDMismatch() throws {
        let nonce = try v.bytes("lock_action_nonce")
        let inner = EncryptedPlaintext(authID: 3, command: .lockAction, payload: try v.bytes("lock_action_payload"))
        let box = try SecretBox.seal(inner.encoded(), nonce: nonce, key: s)
        let frame = EncryptedFrame(nonce: nonce, authID: 2, ciphertext: box).encoded()
        let error = try #require(open(frame))
        #expect(error.code == .notAuthorized)
        #expect(error.code.nukiErrorCode.rawValue == 0x20)
    }

    @Test("a bad CRC inside a valid MAC → badCRC (0xFD)")
    func badCRCInsideValidMAC() throws {
        let nonce = try v.bytes("lock_action_nonce")
        var plaintext = try v.bytes("lock_action_plaintext")
        plaintext[plaintext.count - 1] ^= 0xFF
        let box = try SecretBox.seal(plaintext, nonce: nonce, key: s)
        let frame = EncryptedFrame(nonce: nonce, authID: 2, ciphertext: box).encoded()
        let error = try #require(open(frame))
        #expect(error.code == .badCRC)
        #expect(error.code.nukiErrorCode.rawValue == 0xFD)
    }

    @Test("a plaintext too short for auth id, command and CRC → truncated (0xFE)")
    func shortPlaintext() throws {
        let nonce = try v.bytes("lock_action_nonce")
        // Seven bytes of plaintext: the envelope's minimum length (16 + 8) already refuses this.
        let box = try SecretBox.seal([UInt8](repeating: 0, count: 7), nonce: nonce, key: s)
        let frame = EncryptedFrame(nonce: nonce, authID: 2, ciphertext: box).encoded()
        let error = try #require(open(frame))
        #expect(error.code.nukiErrorCode.rawValue == 0xFE)
    }

    @Test("a length field that disagrees with the bytes → lengthOutOfRange (0xFE)", arguments: [0x3D, 0x3F, 0x00, 0xFF])
    func badLengthField(_ length: UInt8) throws {
        var tampered = message
        tampered[28] = length
        let error = try #require(open(tampered))
        #expect(error.code == .lengthOutOfRange)
        #expect(error.code.nukiErrorCode.rawValue == 0xFE)
    }

    @Test("a frame shorter than its 30-byte header → truncated (0xFE)", arguments: [0, 1, 24, 29])
    func truncatedHeader(_ count: Int) throws {
        let error = try #require(open(Array(message.prefix(count))))
        #expect(error.code == .truncated)
        #expect(error.code.nukiErrorCode.rawValue == 0xFE)
    }

    @Test("extra or missing ciphertext bytes → lengthOutOfRange (0xFE)")
    func ciphertextCountMismatch() throws {
        #expect(open(message + [0x00])?.code == .lengthOutOfRange)
        #expect(open(Array(message.dropLast(5)))?.code == .lengthOutOfRange)
    }

    @Test("the envelope check agrees with EncryptedFrame.decode on every prefix and length field")
    func envelopeParity() {
        func check(_ frame: [UInt8]) {
            var looked = false
            let codecError = wireError { () throws(WireError) -> EncryptedPlaintext in
                try EncryptedMessageCodec.open(frame) { _ in
                    looked = true
                    return nil
                }
            }
            let frameError = wireError { () throws(WireError) -> EncryptedFrame in try EncryptedFrame.decode(frame) }
            if let frameError {
                #expect(codecError?.code == frameError.code)
                #expect(!looked)
            } else {
                #expect(codecError?.code == .notAuthorized)
                #expect(looked)
            }
        }
        for count in 0...message.count {
            check(Array(message.prefix(count)))
        }
        for length in stride(from: 0, through: 0xFFFF, by: 1) where length < 700 || length % 97 == 0 {
            var frame = Array(message.prefix(28))
            frame += [UInt8(length & 0xFF), UInt8(length >> 8)]
            check(frame + [UInt8](repeating: 0x11, count: length))
            check(frame + [UInt8](repeating: 0x11, count: 62))
        }
    }
}
