/// Remove Keypad Code (0x0047), client → lock, encrypted, PIN-protected (36 bytes):
/// code id u16 LE, challenge nonce (32), security PIN.
///
/// Source: Nuki BLE API 2.1 §"Remove Keypad Code", `docs/wire.md` §7.
public struct RemoveKeypadCode: PINProtectedPayload {
    public static let command = Command.removeKeypadCode
    public var codeID: UInt16
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(codeID: UInt16, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.codeID = codeID
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        codeID = try r.readUInt16("code id")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(codeID)
        w.write(challenge)
        w.write(securityPIN)
    }
}
