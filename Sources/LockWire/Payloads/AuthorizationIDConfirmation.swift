/// Authorization-ID Confirmation (0x001E), client → lock on the pairing GDIO (36 bytes):
/// authenticator = HMAC(s, authId ‖ nK3) (32), authorization id u32 LE.
///
/// Source: Nuki BLE API 2.1 §"Pairing" step 12, `docs/wire.md` §3.1–§3.2.
public struct AuthorizationIDConfirmation: NukiPayload {
    public static let command = Command.authorizationIDConfirmation
    public static let byteCount = 36

    public var authenticator: Bytes32
    public var authID: UInt32

    public init(authenticator: Bytes32, authID: UInt32) {
        self.authenticator = authenticator
        self.authID = authID
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(AuthorizationIDConfirmation.byteCount)
        authenticator = try r.readBytes32("authenticator")
        authID = try r.readUInt32("authorization id")
    }

    public func encode(to w: inout WireWriter) {
        w.write(authenticator)
        w.write(authID)
    }
}
