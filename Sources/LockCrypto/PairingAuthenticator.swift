import LockWire

/// The four HMAC-SHA256 authenticators of pairing, all keyed with the shared key s, and their
/// constant-time checks. Integers are little-endian; nonces, keys and the UUID are raw bytes.
///
/// | message | HMAC input, in order | bytes |
/// |---|---|---|
/// | 0x0005 Authorization Authenticator | PK_client(32) ‖ PK_lock(32) ‖ nK1(32) | 96 |
/// | 0x0006 Authorization Data | idType(1) ‖ id(4 LE) ‖ name(32) ‖ nA(32) ‖ nK2(32) | 101 |
/// | 0x0007 Authorization-ID | authId(4 LE) ‖ uuid(16) ‖ nK3(32) ‖ nA(32) | 84 |
/// | 0x001E Authorization-ID Confirmation | authId(4 LE) ‖ nK3(32) | 36 |
///
/// nK2 and nA enter the HMAC but are not sent in the message they authenticate.
/// Source: Nuki BLE API 2.1 §"Pairing" (Authorize App), `docs/wire.md` §3.1 and §3.2.
public enum PairingAuthenticator {
    /// Authorization Authenticator (0x0005): HMAC(s, PK_client ‖ PK_lock ‖ nK1), where nK1 is the
    /// lock's first challenge. Sent by the client, checked by the lock (else P_ERROR_BAD_AUTHENTICATOR 0x11).
    public static func authorizationAuthenticator(
        key: SharedKey, clientPublicKey: Bytes32, lockPublicKey: Bytes32, challenge: Bytes32
    ) -> Bytes32 {
        HMACSHA256.authenticate(key: key, parts: [clientPublicKey.bytes, lockPublicKey.bytes, challenge.bytes])
    }

    /// Constant-time check of a received Authorization Authenticator (0x0005).
    public static func verifyAuthorizationAuthenticator(
        _ authenticator: Bytes32,
        key: SharedKey, clientPublicKey: Bytes32, lockPublicKey: Bytes32, challenge: Bytes32
    ) -> Bool {
#if BUGBENCH_AUTHENTICATOR_PREFIX
        ConstantTime.equals(Array(authenticator.bytes.prefix(4)), Array(authorizationAuthenticator(
            key: key, clientPublicKey: clientPublicKey, lockPublicKey: lockPublicKey, challenge: challenge).bytes.prefix(4)))
#else
        ConstantTime.equals(authenticator, authorizationAuthenticator(
            key: key, clientPublicKey: clientPublicKey, lockPublicKey: lockPublicKey, challenge: challenge))
#endif
    }

    /// Authorization Data (0x0006): HMAC(s, idType(1) ‖ id(4 LE) ‖ name(32) ‖ nA(32) ‖ nK2(32)), where
    /// nA is the client's nonce sent in the message and nK2 the lock's second challenge (not sent).
    /// Throws `invalidLength` unless `name` is 32 bytes wide.
    public static func authorizationData(
        key: SharedKey, idType: IDType, id: UInt32, name: FixedName,
        clientNonce: Bytes32, challenge: Bytes32
    ) throws(CryptoError) -> Bytes32 {
        guard name.width == FixedName.nameWidth else {
            throw CryptoError(.invalidLength, "Authorization Data name is \(name.width) bytes wide, 32 needed")
        }
        var head = WireWriter(capacity: 5)
        head.write(idType.rawValue)
        head.write(id)
        return HMACSHA256.authenticate(key: key, parts: [head.bytes, name.bytes, clientNonce.bytes, challenge.bytes])
    }

    /// Constant-time check of a received Authorization Data authenticator (0x0006). False also when
    /// `name` is not 32 bytes wide.
    public static func verifyAuthorizationData(
        _ authenticator: Bytes32,
        key: SharedKey, idType: IDType, id: UInt32, name: FixedName,
        clientNonce: Bytes32, challenge: Bytes32
    ) -> Bool {
        guard let expected = try? authorizationData(
            key: key, idType: idType, id: id, name: name, clientNonce: clientNonce, challenge: challenge)
        else { return false }
        return ConstantTime.equals(authenticator, expected)
    }

    /// Authorization-ID (0x0007): HMAC(s, authId(4 LE) ‖ uuid(16) ‖ nK3(32) ‖ nA(32)), where nK3 is the
    /// lock's new nonce sent in the message and nA the client's nonce from Authorization Data (not sent).
    public static func authorizationID(
        key: SharedKey, authID: UInt32, uuid: LockUUID, lockNonce: Bytes32, clientNonce: Bytes32
    ) -> Bytes32 {
        HMACSHA256.authenticate(key: key, parts: [le(authID), uuid.bytes, lockNonce.bytes, clientNonce.bytes])
    }

    /// Constant-time check of a received Authorization-ID authenticator (0x0007).
    public static func verifyAuthorizationID(
        _ authenticator: Bytes32,
        key: SharedKey, authID: UInt32, uuid: LockUUID, lockNonce: Bytes32, clientNonce: Bytes32
    ) -> Bool {
        ConstantTime.equals(authenticator, authorizationID(
            key: key, authID: authID, uuid: uuid, lockNonce: lockNonce, clientNonce: clientNonce))
    }

    /// Authorization-ID Confirmation (0x001E): HMAC(s, authId(4 LE) ‖ nK3(32)).
    public static func authorizationIDConfirmation(key: SharedKey, authID: UInt32, lockNonce: Bytes32) -> Bytes32 {
        HMACSHA256.authenticate(key: key, parts: [le(authID), lockNonce.bytes])
    }

    /// Constant-time check of a received Authorization-ID Confirmation (0x001E).
    public static func verifyAuthorizationIDConfirmation(
        _ authenticator: Bytes32, key: SharedKey, authID: UInt32, lockNonce: Bytes32
    ) -> Bool {
        ConstantTime.equals(authenticator, authorizationIDConfirmation(key: key, authID: authID, lockNonce: lockNonce))
    }

    private static func le(_ value: UInt32) -> [UInt8] {
        var w = WireWriter(capacity: 4)
        w.write(value)
        return w.bytes
    }
}
