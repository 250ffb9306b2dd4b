/// Authorization Authenticator (0x0005), client → lock on the pairing GDIO:
/// HMAC-SHA256(s, PK_client ‖ PK_lock ‖ nK1), 32 bytes.
///
/// Source: Nuki BLE API 2.1 §"Pairing" step 6, `docs/wire.md` §3.1–§3.2.
public struct AuthorizationAuthenticator: NukiPayload {
    public static let command = Command.authorizationAuthenticator
    public var authenticator: Bytes32

    public init(authenticator: Bytes32) { self.authenticator = authenticator }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        authenticator = try r.readBytes32("authenticator")
    }

    public func encode(to w: inout WireWriter) { w.write(authenticator) }
}
