/// Request Calibration (0x001A), client → lock, encrypted: challenge nonce (32) then security PIN
/// (34 bytes; 36 on Ultra). Answered with Status ACCEPTED, state updates, then COMPLETE.
///
/// Source: Nuki BLE API 2.1 §"Request Calibration", `docs/wire.md` §4.1.
public struct RequestCalibration: ChallengeAndPINOnlyPayload {
    public static let command = Command.requestCalibration
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(challenge: Bytes32, securityPIN: SecurityPIN) {
        self.challenge = challenge
        self.securityPIN = securityPIN
    }
}
