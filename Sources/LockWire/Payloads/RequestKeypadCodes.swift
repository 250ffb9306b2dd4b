/// Request Keypad Codes (0x0043), client → lock, encrypted, PIN-protected (38 bytes):
/// offset u16 LE, count u16 LE, challenge nonce (32), security PIN. Answered with Keypad Code Count,
/// the entries, then Status COMPLETE.
///
/// Source: Nuki BLE API 2.1 §"Request Keypad Codes", `docs/wire.md` §7 and §13.
public struct RequestKeypadCodes: PINProtectedPayload {
    public static let command = Command.requestKeypadCodes
    public var offset: UInt16
    public var count: UInt16
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(offset: UInt16, count: UInt16, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.offset = offset
        self.count = count
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        offset = try r.readUInt16("offset")
        count = try r.readUInt16("count")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(offset)
        w.write(count)
        w.write(challenge)
        w.write(securityPIN)
    }
}
