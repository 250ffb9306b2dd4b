/// Update Keypad Code (0x0046), client → lock, encrypted, PIN-protected (81 bytes):
/// code id u16 LE, code u32 LE, name (20), enabled u8, ``TimeRestriction`` (20), challenge nonce (32),
/// security PIN.
///
/// Source: Nuki BLE API 2.1 §"Update Keypad Code", `docs/wire.md` §7.
public struct UpdateKeypadCode: PINProtectedPayload {
    public static let command = Command.updateKeypadCode
    public var codeID: UInt16
    public var code: UInt32
    public var name: FixedName
    public var enabled: Bool
    public var restriction: TimeRestriction
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(
        codeID: UInt16, code: UInt32, name: FixedName, enabled: Bool, restriction: TimeRestriction,
        challenge: Bytes32, securityPIN: SecurityPIN
    ) {
        self.codeID = codeID
        self.code = code
        self.name = name
        self.enabled = enabled
        self.restriction = restriction
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        codeID = try r.readUInt16("code id")
        code = try r.readUInt32("code")
        name = try r.readName(width: FixedName.shortNameWidth, "name")
        enabled = try r.readBool("enabled")
        restriction = try r.readTimeRestriction()
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(codeID)
        w.write(code)
        w.write(name)
        w.write(enabled)
        w.write(restriction)
        w.write(challenge)
        w.write(securityPIN)
    }
}
