/// Authorization-ID (0x0007), lock → client on the pairing GDIO (84 bytes):
///
/// | size | field |
/// |---|---|
/// | 32 | authenticator = HMAC(s, authId ‖ uuid ‖ nK3 ‖ nA) |
/// | 4 | authorization id (u32 LE) |
/// | 16 | lock UUID |
/// | 32 | new nonce nK3 |
///
/// Source: Nuki BLE API 2.1 §"Pairing" step 10, `docs/wire.md` §3.1. Ultra: ``UltraAuthorizationID``.
public struct AuthorizationID: NukiPayload {
    public static let command = Command.authorizationID
    public static let byteCount = 84

    public var authenticator: Bytes32
    public var authID: UInt32
    public var lockUUID: LockUUID
    public var nonce: Bytes32

    public init(authenticator: Bytes32, authID: UInt32, lockUUID: LockUUID, nonce: Bytes32) {
        self.authenticator = authenticator
        self.authID = authID
        self.lockUUID = lockUUID
        self.nonce = nonce
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(AuthorizationID.byteCount)
        authenticator = try r.readBytes32("authenticator")
        authID = try r.readUInt32("authorization id")
        lockUUID = try r.readLockUUID("lock UUID")
        nonce = try r.readBytes32("nonce")
    }

    public func encode(to w: inout WireWriter) {
        w.write(authenticator)
        w.write(authID)
        w.write(lockUUID)
        w.write(nonce)
    }
}
