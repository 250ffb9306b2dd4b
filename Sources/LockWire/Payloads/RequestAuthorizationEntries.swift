/// Request Authorization Entries (0x0009), client → lock, encrypted, PIN-protected (38, or 39 with
/// the filter): offset u16 LE, count u16 LE, optional ID-type filter u8 (Smart Lock 4th gen / Ultra),
/// challenge nonce (32), security PIN. The filter's presence is known from the length.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Request Authorization Entries", `docs/wire.md` §4, §4.1 and §6.
public struct RequestAuthorizationEntries: PINProtectedPayload {
    public static let command = Command.requestAuthorizationEntries
    public var offset: UInt16
    public var count: UInt16
    public var filter: IDType?
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(offset: UInt16, count: UInt16, filter: IDType? = nil, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.offset = offset
        self.count = count
        self.filter = filter
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        offset = try r.readUInt16("offset")
        count = try r.readUInt16("count")
        let tail = Bytes32.byteCount + context.securityPINWidth.rawValue
        if try r.optionalBytes(beforeTail: tail, range: 0...1) == 1 {
            let raw = try r.readUInt8("filter")
            guard raw <= 5 else {
                throw WireError(.badParameter, "\(r.context): filter \(raw) is not an ID type")
            }
            filter = IDType(rawValue: raw)
        } else {
            filter = nil
        }
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(offset)
        w.write(count)
        if let filter { w.write(filter) }
        w.write(challenge)
        w.write(securityPIN)
    }
}
