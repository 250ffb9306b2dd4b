/// Set Advanced Config (0x0035), client → lock, encrypted, PIN-protected:
/// ``AdvancedConfigSettings`` (26 to 31 bytes), challenge nonce (32), security PIN (60 to 65 bytes).
/// The optional settings' presence is known from the length.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Set Advanced Config", `docs/wire.md` §5.9.
public struct SetAdvancedConfig: PINProtectedPayload {
    public static let command = Command.setAdvancedConfig
    public var settings: AdvancedConfigSettings
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(settings: AdvancedConfigSettings, challenge: Bytes32, securityPIN: SecurityPIN) {
        self.settings = settings
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        let tail = AdvancedConfigSettings.requiredByteCount + Bytes32.byteCount + context.securityPINWidth.rawValue
        let optional = try r.optionalBytes(
            beforeTail: tail,
            range: 0...(AdvancedConfigSettings.maximumByteCount - AdvancedConfigSettings.requiredByteCount))
        settings = try AdvancedConfigSettings(from: &r, optionalBytes: optional)
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        settings.encode(to: &w)
        w.write(challenge)
        w.write(securityPIN)
    }
}
