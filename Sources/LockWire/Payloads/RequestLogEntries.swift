/// Request Log Entries (0x0031), client → lock, encrypted, PIN-protected (42 bytes):
/// start index u32 LE (0 = from the newest or oldest), count u16 LE, sort order u8 (0 ascending,
/// 1 descending), total-count flag u8 (1 = send Log Entry Count first), challenge nonce (32),
/// security PIN. Other sort orders throw `badParameter`.
///
/// Source: Nuki BLE API 2.1 §"Request Log Entries", `docs/wire.md` §8.
public struct RequestLogEntries: PINProtectedPayload {
    public static let command = Command.requestLogEntries
    public var startIndex: UInt32
    public var count: UInt16
    public var descending: Bool
    public var totalCount: Bool
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(startIndex: UInt32, count: UInt16, descending: Bool, totalCount: Bool, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.startIndex = startIndex
        self.count = count
        self.descending = descending
        self.totalCount = totalCount
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        startIndex = try r.readUInt32("start index")
        count = try r.readUInt16("count")
        descending = try r.readBool("sort order")
        totalCount = try r.readBool("total count")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(startIndex)
        w.write(count)
        w.write(descending)
        w.write(totalCount)
        w.write(challenge)
        w.write(securityPIN)
    }
}
