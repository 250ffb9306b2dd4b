import LatchkeyTestSupport
import LockCrypto
import LockWire
import Testing

/// Nuki Smart Lock API V2.1 "Authorize App" example (Set A), docs/wire.md §10.1, §3.1 and §3.2.
@Suite("Set A pairing (Nuki API 2.1 Authorize App, docs/wire.md §10.1)")
struct SetAPairingTests {
    let v: SetAVectors

    init() throws {
        v = try SetAVectors.load()
    }

    @Test("the vector file names its source")
    func vectorFileNamesSource() {
        #expect(v.source.contains("Nuki Smart Lock API V2.1 (16.03.2020)"))
        #expect(v.source.contains("docs/wire.md §10.1"))
    }

    @Test("client public key = X25519 base point multiple of the client secret key")
    func clientPublicKey() throws {
        let client = try KeyPair(secretKeyBytes: try v.bytes("client_secret_key"))
        #expect(client.publicKey == (try v.bytes32("client_public_key")))
        let message = PlainFrame(command: .publicKey, payload: client.publicKey.bytes).encoded()
        #expect(message == (try v.bytes("client_public_key_message")))
    }

    @Test("request public key and lock public key messages")
    func publicKeyMessages() throws {
        #expect(PlainFrame(command: .requestData, payload: [0x03, 0x00]).encoded() == (try v.bytes("request_public_key_message")))
        let lockKey = try v.bytes32("lock_public_key")
        #expect(PlainFrame(command: .publicKey, payload: lockKey.bytes).encoded() == (try v.bytes("lock_public_key_message")))
    }

    @Test("k = X25519(client secret, lock public) (dh1)")
    func x25519K() throws {
        let (client, lockKey, _) = try setAKeys(v)
        let k = try client.x25519(peerPublicKey: lockKey)
        #expect(hexOf(k) == v.hex["x25519_k"])
    }

    @Test("s = crypto_box_beforenm = HSalsa20(k) (dh1 + kdf1)")
    func sharedKey() throws {
        let (client, lockKey, s) = try setAKeys(v)
        #expect(hexOf(s) == v.hex["shared_key_s"])
        // The two-step path of NukiBleEsp32 gives the same key.
        let twoStep = try SharedKey(hsalsa20Of: try client.x25519(peerPublicKey: lockKey))
        #expect(hexOf(twoStep) == v.hex["shared_key_s"])
        #expect(twoStep.constantTimeEquals(s))
        // And the stored-credential path.
        let stored = try SharedKey(rawBytes: try v.bytes("shared_key_s"))
        #expect(stored.constantTimeEquals(s))
    }

    @Test("Authorization Authenticator 0x0005 = HMAC(s, PK_C ‖ PK_K ‖ nK1)")
    func authorizationAuthenticator() throws {
        let (client, lockKey, s) = try setAKeys(v)
        let challenge1 = try v.bytes32("challenge_1")
        #expect(PlainFrame(command: .challenge, payload: challenge1.bytes).encoded() == (try v.bytes("challenge_1_message")))
        let authenticator = PairingAuthenticator.authorizationAuthenticator(
            key: s, clientPublicKey: client.publicKey, lockPublicKey: lockKey, challenge: challenge1)
        #expect(authenticator == (try v.bytes32("authorization_authenticator")))
        #expect(PlainFrame(command: .authorizationAuthenticator, payload: authenticator.bytes).encoded()
            == (try v.bytes("authorization_authenticator_message")))
        #expect(PairingAuthenticator.verifyAuthorizationAuthenticator(
            authenticator, key: s, clientPublicKey: client.publicKey, lockPublicKey: lockKey, challenge: challenge1))
        // Swapping the key order (lock first) must not verify.
        #expect(!PairingAuthenticator.verifyAuthorizationAuthenticator(
            authenticator, key: s, clientPublicKey: lockKey, lockPublicKey: client.publicKey, challenge: challenge1))
    }

    @Test("Authorization Data 0x0006: authenticator and whole message")
    func authorizationData() throws {
        let (_, _, s) = try setAKeys(v)
        let challenge2 = try v.bytes32("challenge_2")
        #expect(PlainFrame(command: .challenge, payload: challenge2.bytes).encoded() == (try v.bytes("challenge_2_message")))
        let idType = IDType(rawValue: UInt8(try v.number("authorization_data_id_type")))
        let appID = UInt32(try v.number("authorization_data_app_id"))
        let name = FixedName(try v.string("authorization_data_name"), width: FixedName.nameWidth)
        #expect(name.bytes == (try v.bytes("authorization_data_name")))
        let nA = try v.bytes32("authorization_data_client_nonce")

        let authenticator = try PairingAuthenticator.authorizationData(
            key: s, idType: idType, id: appID, name: name, clientNonce: nA, challenge: challenge2)
        #expect(authenticator == (try v.bytes32("authorization_data_authenticator")))
        #expect(PairingAuthenticator.verifyAuthorizationData(
            authenticator, key: s, idType: idType, id: appID, name: name, clientNonce: nA, challenge: challenge2))
        #expect(!PairingAuthenticator.verifyAuthorizationData(
            authenticator, key: s, idType: .bridge, id: appID, name: name, clientNonce: nA, challenge: challenge2))

        var w = WireWriter(capacity: 101)
        w.write(authenticator)
        w.write(idType.rawValue)
        w.write(appID)
        w.write(name)
        w.write(nA)
        #expect(w.bytes.count == 101)
        let message = PlainFrame(command: .authorizationData, payload: w.bytes).encoded()
        #expect(message == (try v.bytes("authorization_data_message")))
    }

    @Test("Authorization Data rejects a name that is not 32 bytes wide")
    func authorizationDataNameWidth() throws {
        let (_, _, s) = try setAKeys(v)
        let shortName = FixedName("Marc (Test)", width: FixedName.shortNameWidth)
        let error = cryptoError {
            () throws(CryptoError) -> Bytes32 in
            try PairingAuthenticator.authorizationData(
                key: s, idType: .app, id: 0, name: shortName, clientNonce: .zero, challenge: .zero)
        }
        #expect(error?.code == .invalidLength)
        #expect(!PairingAuthenticator.verifyAuthorizationData(
            .zero, key: s, idType: .app, id: 0, name: shortName, clientNonce: .zero, challenge: .zero))
    }

    @Test("Authorization-ID 0x0007: authenticator verifies with nA from Authorization Data")
    func authorizationID() throws {
        let (_, _, s) = try setAKeys(v)
        let message = try v.bytes("authorization_id_message")
        let frame = try PlainFrame.decode(message)
        #expect(frame.command == .authorizationID)
        var r = WireReader(frame.payload, context: "Authorization-ID")
        let authenticator = try r.readBytes32("authenticator")
        let authID = try r.readUInt32("auth id")
        let uuid = try r.readLockUUID("uuid")
        let nK3 = try r.readBytes32("nK3")
        try r.finish()
        #expect(authenticator == (try v.bytes32("authorization_id_authenticator")))
        #expect(authID == UInt32(try v.number("auth_id")))
        #expect(uuid.bytes == (try v.bytes("authorization_id_uuid")))
        #expect(nK3 == (try v.bytes32("authorization_id_lock_nonce")))

        let nA = try v.bytes32("authorization_data_client_nonce")
        #expect(PairingAuthenticator.authorizationID(key: s, authID: authID, uuid: uuid, lockNonce: nK3, clientNonce: nA)
            == authenticator)
        #expect(PairingAuthenticator.verifyAuthorizationID(
            authenticator, key: s, authID: authID, uuid: uuid, lockNonce: nK3, clientNonce: nA))
        #expect(!PairingAuthenticator.verifyAuthorizationID(
            authenticator, key: s, authID: authID + 1, uuid: uuid, lockNonce: nK3, clientNonce: nA))
        // Rebuilding the message gives the corrected bytes (C66 fill) exactly.
        var w = WireWriter(capacity: 84)
        w.write(authenticator)
        w.write(authID)
        w.write(uuid)
        w.write(nK3)
        #expect(PlainFrame(command: .authorizationID, payload: w.bytes).encoded() == message)
    }

    @Test("Authorization-ID Confirmation 0x001E = HMAC(s, authId ‖ nK3) ‖ authId, then Status COMPLETE")
    func authorizationIDConfirmation() throws {
        let (_, _, s) = try setAKeys(v)
        let authID = UInt32(try v.number("auth_id"))
        let nK3 = try v.bytes32("authorization_id_lock_nonce")
        let authenticator = PairingAuthenticator.authorizationIDConfirmation(key: s, authID: authID, lockNonce: nK3)
        #expect(authenticator == (try v.bytes32("authorization_id_confirmation_authenticator")))
        #expect(PairingAuthenticator.verifyAuthorizationIDConfirmation(authenticator, key: s, authID: authID, lockNonce: nK3))
        #expect(!PairingAuthenticator.verifyAuthorizationIDConfirmation(authenticator, key: s, authID: authID, lockNonce: .zero))
        var w = WireWriter(capacity: 36)
        w.write(authenticator)
        w.write(authID)
        #expect(PlainFrame(command: .authorizationIDConfirmation, payload: w.bytes).encoded()
            == (try v.bytes("authorization_id_confirmation_message")))
        #expect(PlainFrame(command: .status, payload: [0x00]).encoded() == (try v.bytes("status_complete_message")))
    }

    @Test("CRC vectors of §10.5 (shared file, checked here through LockWire's CRC16)")
    func crcVectors() throws {
        #expect(v.crc.count >= 4)
        for vector in v.crc {
            let input: [UInt8]
            if let ascii = vector.input_ascii {
                input = Array(ascii.utf8)
            } else {
                input = try #require(Hex.decode(vector.input_hex ?? ""))
            }
            let crc = CRC16.checksum(input)
            #expect(Hex.encode([UInt8(crc >> 8), UInt8(crc & 0xFF)]) == vector.crc, "\(vector.name)")
            #expect(Hex.encode([UInt8(crc & 0xFF), UInt8(crc >> 8)]) == vector.wire, "\(vector.name)")
        }
    }
}
