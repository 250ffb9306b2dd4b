/// Set Security PIN (0x0019), client → lock, encrypted: new PIN, challenge nonce (32), old PIN; each
/// PIN u16 LE (36 bytes) or u32 LE on Ultra (40 bytes).
///
/// Source: Nuki BLE API 2.1 §"Set Security PIN", `docs/wire.md` §3.5 and §4.
public struct SetSecurityPIN: PINProtectedPayload {
    public static let command = Command.setSecurityPIN
    public var newPIN: SecurityPIN
    public var challenge: Bytes32
    /// The current PIN, which authorises the change.
    public var securityPIN: SecurityPIN

    public init(newPIN: SecurityPIN, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.newPIN = newPIN
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        newPIN = try r.readSecurityPIN(context.securityPINWidth, "new PIN")
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(newPIN)
        w.write(challenge)
        w.write(securityPIN)
    }
}
