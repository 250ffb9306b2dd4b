/// Remove Authorization Entry (0x0008), client → lock, encrypted, PIN-protected (38 bytes):
/// authorization id u32 LE, challenge nonce (32), security PIN. Unknown id → K_ERROR_INVALID_AUTH_ID.
///
/// Source: Nuki BLE API 2.1 §"Remove Authorization Entry", `docs/wire.md` §4 and §6.
public struct RemoveAuthorizationEntry: PINProtectedPayload {
    public static let command = Command.removeAuthorizationEntry
    public var authID: UInt32
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(authID: UInt32, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.authID = authID
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        authID = try r.readUInt32("authorization id")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(authID)
        w.write(challenge)
        w.write(securityPIN)
    }
}
