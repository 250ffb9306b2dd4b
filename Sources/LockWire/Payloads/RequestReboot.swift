/// Request Reboot (0x001D), client → lock, encrypted: challenge nonce (32) then security PIN
/// (34 bytes; 36 on Ultra). Answered with Status COMPLETE before the lock restarts.
///
/// Source: Nuki BLE API 2.1 §"Request Reboot", `docs/wire.md` §4.
public struct RequestReboot: ChallengeAndPINOnlyPayload {
    public static let command = Command.requestReboot
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(challenge: Bytes32, securityPIN: SecurityPIN) {
        self.challenge = challenge
        self.securityPIN = securityPIN
    }
}
