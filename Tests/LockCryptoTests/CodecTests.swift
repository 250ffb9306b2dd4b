import LockCrypto
import LockWire
import Testing

@Suite("EncryptedMessageCodec and SecretBox")
struct CodecTests {
    @Test("seal with a random source round-trips and never repeats a nonce")
    func sealWithRandomSource() throws {
        let random = SeededRandomSource(seed: 42)
        let key = try SharedKey(rawBytes: random.bytes(count: 32))
        let payload: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
        let a = try EncryptedMessageCodec.seal(authID: 9, command: .lockAction, payload: payload, key: key, random: random)
        let b = try EncryptedMessageCodec.seal(authID: 9, command: .lockAction, payload: payload, key: key, random: random)
        #expect(a.count == 30 + 16 + 8 + payload.count)
        #expect(Array(a[0..<24]) != Array(b[0..<24]))
        #expect(a != b)
        for frame in [a, b] {
            let opened = try EncryptedMessageCodec.open(frame) { $0 == 9 ? key : nil }
            #expect(opened == EncryptedPlaintext(authID: 9, command: .lockAction, payload: payload))
        }
        // The frame also parses with LockWire's envelope decoder.
        let envelope = try EncryptedFrame.decode(a)
        #expect(envelope.authID == 9)
        #expect(envelope.ciphertext.count == 16 + 8 + payload.count)
    }

    @Test("seal rejects a nonce that is not 24 bytes and a payload above the wire limit")
    func sealRejections() throws {
        let key = try SharedKey(rawBytes: [UInt8](repeating: 1, count: 32))
        #expect(cryptoError { () throws(CryptoError) -> [UInt8] in
            try EncryptedMessageCodec.seal(authID: 1, command: .status, payload: [0], nonce: [UInt8](repeating: 0, count: 23), key: key)
        }?.code == .invalidNonceLength)
        #expect(cryptoError { () throws(CryptoError) -> [UInt8] in
            try EncryptedMessageCodec.seal(authID: 1, command: .status,
                                           payload: [UInt8](repeating: 0, count: WireLimits.maxPayloadBytes + 1),
                                           nonce: [UInt8](repeating: 0, count: 24), key: key)
        }?.code == .messageTooLong)
        let largest = try EncryptedMessageCodec.seal(
            authID: 1, command: .status, payload: [UInt8](repeating: 0xA5, count: WireLimits.maxPayloadBytes),
            nonce: [UInt8](repeating: 0, count: 24), key: key)
        #expect(largest.count == WireLimits.maxFrameBytes)
        #expect(try EncryptedMessageCodec.open(largest) { _ in key }.payload.count == WireLimits.maxPayloadBytes)
    }

    @Test("SecretBox combined layout: MAC first, empty message, bad nonce")
    func secretBoxCombined() throws {
        let key = try SharedKey(rawBytes: [UInt8](repeating: 2, count: 32))
        let nonce = [UInt8](repeating: 3, count: 24)
        let empty = try SecretBox.seal([], nonce: nonce, key: key)
        #expect(empty.count == 16)
        #expect(try SecretBox.open(empty, nonce: nonce, key: key) == [])
        let box = try SecretBox.seal([1, 2, 3], nonce: nonce, key: key)
        #expect(box.count == 19)
        #expect(try SecretBox.open(box, nonce: nonce, key: key) == [1, 2, 3])
        #expect(cryptoError { () throws(CryptoError) -> [UInt8] in try SecretBox.open(Array(box.prefix(15)), nonce: nonce, key: key) }?.code
            == .verificationFailed)
        #expect(cryptoError { () throws(CryptoError) -> [UInt8] in try SecretBox.seal([1], nonce: [0], key: key) }?.code
            == .invalidNonceLength)
    }
}
