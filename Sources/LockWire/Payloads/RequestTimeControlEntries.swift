/// Request Time Control Entries (0x003C), client → lock, encrypted: challenge nonce (32) then security PIN
/// (34 bytes; 36 on Ultra). Answered with Time Control Entry Count, the entries, then Status COMPLETE.
///
/// Source: Nuki BLE API 2.1 §"Request Time Control Entries", `docs/wire.md` §4 and §5.10.
public struct RequestTimeControlEntries: ChallengeAndPINOnlyPayload {
    public static let command = Command.requestTimeControlEntries
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(challenge: Bytes32, securityPIN: SecurityPIN) {
        self.challenge = challenge
        self.securityPIN = securityPIN
    }
}
