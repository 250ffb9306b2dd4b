import LatchkeyTestSupport
import LockCrypto
import LockWire
import Testing

/// Set A encrypted examples: Read lock state and Perform unlock (docs/wire.md §10.1, §2.2).
@Suite("Set A encrypted messages (docs/wire.md §10.1)")
struct SetAEncryptedTests {
    let v: SetAVectors
    let s: SharedKey
    let authID: UInt32

    init() throws {
        v = try SetAVectors.load()
        s = try setAKeys(v).s
        authID = UInt32(try v.number("auth_id"))
    }

    /// Opens `messageField` with the Set A key and checks it decrypts to `plaintextField`, and that
    /// resealing that plaintext with the frame's nonce gives the message back byte for byte.
    private func roundTrip(_ messageField: String, _ plaintextField: String) throws -> EncryptedPlaintext {
        let message = try v.bytes(messageField)
        let expectedPlaintext = try v.bytes(plaintextField)
        let key = s
        let opened = try EncryptedMessageCodec.open(message) { $0 == authID ? key : nil }
        #expect(opened.encoded() == expectedPlaintext, "\(messageField) decrypts to \(plaintextField)")
        #expect(try EncryptedPlaintext.decode(expectedPlaintext, expectedAuthID: authID) == opened)
        let nonce = Array(message.prefix(EncryptedFrame.nonceBytes))
        #expect(try EncryptedMessageCodec.seal(opened, nonce: nonce, key: s) == message, "\(messageField) reseals")
        #expect(try EncryptedMessageCodec.seal(authID: opened.authID, command: opened.command,
                                                payload: opened.payload, nonce: nonce, key: s) == message)
        return opened
    }

    @Test("Read lock state: Request Data(0x000C) seals to the given frame and decrypts back")
    func requestKeyturnerStates() throws {
        let nonce = try v.bytes("read_lock_state_nonce")
        let sealed = try EncryptedMessageCodec.seal(authID: authID, command: .requestData, payload: [0x0C, 0x00],
                                                    nonce: nonce, key: s)
        #expect(sealed == (try v.bytes("read_lock_state_message")))
        // Header: length 1A00 = 26 = 10-byte plaintext + 16.
        #expect(Array(sealed[28..<30]) == [0x1A, 0x00])
        #expect(Array(sealed[30...]) == (try v.bytes("read_lock_state_ciphertext")))
        // secretbox of the plaintext alone gives the ciphertext part.
        #expect(try SecretBox.seal(try v.bytes("read_lock_state_plaintext"), nonce: nonce, key: s)
            == (try v.bytes("read_lock_state_ciphertext")))
        let opened = try roundTrip("read_lock_state_message", "read_lock_state_plaintext")
        #expect(opened.command == .requestData)
        #expect(opened.payload == [0x0C, 0x00])
    }

    @Test("Read lock state: the lock's Keyturner States reply (69 bytes)")
    func keyturnerStatesReply() throws {
        #expect((try v.bytes("keyturner_states_reply_message")).count == 69)
        let opened = try roundTrip("keyturner_states_reply_message", "keyturner_states_reply_plaintext")
        #expect(opened.authID == 2)
        #expect(opened.command == .keyturnerStates)
        #expect(opened.payload == (try v.bytes("keyturner_states_reply_payload")))
    }

    @Test("Perform unlock: Request Data(Challenge 0x0004) frame")
    func requestChallenge() throws {
        let sealed = try EncryptedMessageCodec.seal(authID: authID, command: .requestData, payload: [0x04, 0x00],
                                                    nonce: try v.bytes("request_challenge_nonce"), key: s)
        #expect(sealed == (try v.bytes("request_challenge_message")))
        #expect(Array(sealed[30...]) == (try v.bytes("request_challenge_ciphertext")))
        _ = try roundTrip("request_challenge_message", "request_challenge_plaintext")
    }

    @Test("Perform unlock: the lock's Challenge reply (86 bytes, [FIX]-corrected chunk)")
    func challengeReply() throws {
        #expect((try v.bytes("challenge_reply_message")).count == 86)
        let opened = try roundTrip("challenge_reply_message", "challenge_reply_plaintext")
        #expect(opened.command == .challenge)
        #expect(opened.payload == (try v.bytes("challenge_reply_nonce_nk")))
    }

    @Test("Perform unlock: Lock Action (unlock, app id 0, flags 0, nK) frame")
    func lockAction() throws {
        let payload = try v.bytes("lock_action_payload")
        let sealed = try EncryptedMessageCodec.seal(authID: authID, command: .lockAction, payload: payload,
                                                    nonce: try v.bytes("lock_action_nonce"), key: s)
        #expect(sealed == (try v.bytes("lock_action_message")))
        #expect(Array(sealed[28..<30]) == [0x3E, 0x00])
        #expect(Array(sealed[30...]) == (try v.bytes("lock_action_ciphertext")))
        let opened = try roundTrip("lock_action_message", "lock_action_plaintext")
        #expect(opened.command == .lockAction)
        #expect(opened.payload == payload)
    }

    @Test("Status ACCEPTED and COMPLETE plaintexts carry valid CRCs")
    func statusPlaintexts() throws {
        let accepted = try EncryptedPlaintext.decode(try v.bytes("status_accepted_plaintext"), expectedAuthID: authID)
        #expect(accepted.command == .status)
        #expect(accepted.payload == [0x01])
        let complete = try EncryptedPlaintext.decode(try v.bytes("status_complete_plaintext"), expectedAuthID: authID)
        #expect(complete.command == .status)
        #expect(complete.payload == [0x00])
        #expect(EncryptedPlaintext(authID: authID, command: .status, payload: [0x01]).encoded()
            == (try v.bytes("status_accepted_plaintext")))
        #expect(EncryptedPlaintext(authID: authID, command: .status, payload: [0x00]).encoded()
            == (try v.bytes("status_complete_plaintext")))
        // Both survive a seal/open round trip under s.
        let nonce = try v.bytes("lock_action_nonce")
        for plaintext in [accepted, complete] {
            let frame = try EncryptedMessageCodec.seal(plaintext, nonce: nonce, key: s)
            let key = s
            #expect(try EncryptedMessageCodec.open(frame) { _ in key } == plaintext)
        }
    }
}
