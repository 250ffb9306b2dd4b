/// Update Time (0x0021), client → lock, encrypted, PIN-protected (41 bytes): new time (``DateTime``,
/// UTC), challenge nonce (32), security PIN. An unset (all-zero) time throws `badParameter`.
///
/// Source: Nuki BLE API 2.1 §"Update Time", `docs/wire.md` §4 and §13.
public struct UpdateTime: PINProtectedPayload {
    public static let command = Command.updateTime
    public var time: DateTime
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(time: DateTime, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.time = time
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        time = try r.readDateTime("time")
        guard !time.isUnset else {
            throw WireError(.badParameter, "\(r.context): time is all zero")
        }
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(time)
        w.write(challenge)
        w.write(securityPIN)
    }
}
