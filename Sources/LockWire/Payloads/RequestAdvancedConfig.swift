/// Request Advanced Config (0x0036), client → lock, encrypted: the challenge nonce only (32 bytes), no PIN.
/// Answered with Advanced Config (0x0037).
///
/// Source: Nuki BLE API 2.1 §"Request Advanced Config", `docs/wire.md` §4 and §5.9.
public struct RequestAdvancedConfig: ChallengeOnlyPayload {
    public static let command = Command.requestAdvancedConfig
    public var challenge: Bytes32

    public init(challenge: Bytes32) { self.challenge = challenge }
}
