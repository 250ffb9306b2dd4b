/// Enable Logging (0x0034), client → lock, encrypted, PIN-protected (35 bytes): enabled u8 (0/1),
/// challenge nonce (32), security PIN.
///
/// Source: Nuki BLE API 2.1 §"Enable Logging", `docs/wire.md` §4 and §8.
public struct EnableLogging: PINProtectedPayload {
    public static let command = Command.enableLogging
    public var enabled: Bool
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(enabled: Bool, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.enabled = enabled
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        enabled = try r.readBool("enabled")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(enabled)
        w.write(challenge)
        w.write(securityPIN)
    }
}
