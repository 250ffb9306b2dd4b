/// Verify Security PIN (0x0020), client → lock, encrypted: challenge nonce (32) then security PIN
/// (34 bytes; 36 on Ultra). Answered with Status COMPLETE, or Error Report K_ERROR_BAD_PIN (0x21).
///
/// Source: Nuki BLE API 2.1 §"Verify Security PIN", `docs/wire.md` §4.
public struct VerifySecurityPIN: ChallengeAndPINOnlyPayload {
    public static let command = Command.verifySecurityPIN
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(challenge: Bytes32, securityPIN: SecurityPIN) {
        self.challenge = challenge
        self.securityPIN = securityPIN
    }
}
