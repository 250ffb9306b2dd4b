/// Add Keypad Code (0x0041), client → lock, encrypted, PIN-protected (78 bytes):
/// code u32 LE, name (20), ``TimeRestriction`` (20), challenge nonce (32), security PIN.
/// Answered with Keypad Code ID. The code's format (6 digits 1–9, not starting with 12) is the
/// lock's to check.
///
/// Source: Nuki BLE API 2.1 §"Add Keypad Code", `docs/wire.md` §7.
public struct AddKeypadCode: PINProtectedPayload {
    public static let command = Command.addKeypadCode
    public var code: UInt32
    public var name: FixedName
    public var restriction: TimeRestriction
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(code: UInt32, name: FixedName, restriction: TimeRestriction, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.code = code
        self.name = name
        self.restriction = restriction
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        code = try r.readUInt32("code")
        name = try r.readName(width: FixedName.shortNameWidth, "name")
        restriction = try r.readTimeRestriction()
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(code)
        w.write(name)
        w.write(restriction)
        w.write(challenge)
        w.write(securityPIN)
    }
}
