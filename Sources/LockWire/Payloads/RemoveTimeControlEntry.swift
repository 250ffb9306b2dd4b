/// Remove Time Control Entry (0x003B), client → lock, encrypted, PIN-protected (35 bytes):
/// entry id u8, challenge nonce (32), security PIN.
///
/// Source: Nuki BLE API 2.1 §"Remove Time Control Entry", `docs/wire.md` §4.
public struct RemoveTimeControlEntry: PINProtectedPayload {
    public static let command = Command.removeTimeControlEntry
    public var entryID: UInt8
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(entryID: UInt8, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.entryID = entryID
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        entryID = try r.readUInt8("entry id")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(entryID)
        w.write(challenge)
        w.write(securityPIN)
    }
}
