/// Update Authorization Entry (0x0025), client → lock, encrypted, PIN-protected (92 bytes):
/// authorization id u32 LE, name (32), enabled u8, remote allowed u8, ``TimeRestriction`` (20),
/// challenge nonce (32), security PIN.
///
/// Source: Nuki BLE API 2.1 §"Update Authorization Entry", `docs/wire.md` §4 and §6.
public struct UpdateAuthorizationEntry: PINProtectedPayload {
    public static let command = Command.updateAuthorizationEntry
    public var authID: UInt32
    public var name: FixedName
    public var enabled: Bool
    public var remoteAllowed: Bool
    public var restriction: TimeRestriction
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(
        authID: UInt32, name: FixedName, enabled: Bool, remoteAllowed: Bool, restriction: TimeRestriction,
        challenge: Bytes32, securityPIN: SecurityPIN
    ) {
        self.authID = authID
        self.name = name
        self.enabled = enabled
        self.remoteAllowed = remoteAllowed
        self.restriction = restriction
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        authID = try r.readUInt32("authorization id")
        name = try r.readName(width: FixedName.nameWidth, "name")
        enabled = try r.readBool("enabled")
        remoteAllowed = try r.readBool("remote allowed")
        restriction = try r.readTimeRestriction()
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(authID)
        w.write(name)
        w.write(enabled)
        w.write(remoteAllowed)
        w.write(restriction)
        w.write(challenge)
        w.write(securityPIN)
    }
}
