/// Add Time Control Entry (0x0039), client → lock, encrypted, PIN-protected (38 bytes):
/// ``TimeControlSchedule`` (4), challenge nonce (32), security PIN. Answered with Time Control Entry ID.
///
/// Source: Nuki BLE API 2.1 §"Add Time Control Entry", `docs/wire.md` §4 and §5.10.
public struct AddTimeControlEntry: PINProtectedPayload {
    public static let command = Command.addTimeControlEntry
    public var schedule: TimeControlSchedule
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(schedule: TimeControlSchedule, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.schedule = schedule
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        schedule = try r.readTimeControlSchedule()
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(schedule)
        w.write(challenge)
        w.write(securityPIN)
    }
}
