/// Request Config (0x0014), client → lock, encrypted: the challenge nonce only (32 bytes), no PIN.
/// Answered with Config (0x0015).
///
/// Source: Nuki BLE API 2.1 §"Request Config", `docs/wire.md` §4 and §5.8.
public struct RequestConfig: ChallengeOnlyPayload {
    public static let command = Command.requestConfig
    public var challenge: Bytes32

    public init(challenge: Bytes32) { self.challenge = challenge }
}
