/// What a payload decoder must know beyond the bytes: the device model's variant of the API.
///
/// Smart Lock 1.0–4th gen (``smartLock``): u16 security PIN, pairing per §3.1.
/// Smart Lock Ultra (``ultra``): u32 security PIN, Authorization Data and Authorization-ID in the
/// Ultra layout of §3.4. Source: Nuki BLE API 2.3.0, `docs/wire.md` §3.4, §3.5 and §12.
public struct WireContext: Hashable, Sendable, Codable {
    /// Width of the security PIN in PIN-protected commands.
    public var securityPINWidth: SecurityPIN.Width
    /// Whether pairing uses the Ultra layouts of Authorization Data (0x0006) and Authorization-ID (0x0007).
    public var ultraPairing: Bool

    public init(securityPINWidth: SecurityPIN.Width, ultraPairing: Bool) {
        self.securityPINWidth = securityPINWidth
        self.ultraPairing = ultraPairing
    }

    /// Smart Lock 1.0 to 4th generation.
    public static let smartLock = WireContext(securityPINWidth: .u16, ultraPairing: false)
    /// Smart Lock Ultra (and Smart Lock Go on firmware 5.x).
    public static let ultra = WireContext(securityPINWidth: .u32, ultraPairing: true)
}
