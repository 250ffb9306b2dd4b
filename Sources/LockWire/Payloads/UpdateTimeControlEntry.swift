/// Update Time Control Entry (0x003F), client → lock, encrypted, PIN-protected (40 bytes):
/// the 6 fields of ``TimeControlEntry``, challenge nonce (32), security PIN.
///
/// Source: Nuki BLE API 2.1 §"Update Time Control Entry", `docs/wire.md` §4 and §5.10.
public struct UpdateTimeControlEntry: PINProtectedPayload {
    public static let command = Command.updateTimeControlEntry
    public var entry: TimeControlEntry
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(entry: TimeControlEntry, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.entry = entry
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        entry = try TimeControlEntry(from: &r, context: context)
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        entry.encode(to: &w)
        w.write(challenge)
        w.write(securityPIN)
    }
}
