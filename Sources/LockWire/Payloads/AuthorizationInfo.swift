/// Authorization Info (0x004C), Smart Lock Ultra only, lock → client, plain: security PIN is set (u8 0/1).
/// Examples `4C 00 00 50 A4` (no PIN set) and `4C 00 01 71 B4` (PIN set). The length (1) is checked
/// before the flag's value.
///
/// Source: Nuki BLE API 2.3.0 §"Authorization Ultra", `docs/wire.md` §3.4.
public struct AuthorizationInfo: NukiPayload {
    public static let command = Command.authorizationInfo
    public static let byteCount = 1
    public var securityPINSet: Bool

    public init(securityPINSet: Bool) { self.securityPINSet = securityPINSet }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(AuthorizationInfo.byteCount)
        securityPINSet = try r.readBool("security PIN set")
    }

    public func encode(to w: inout WireWriter) { w.write(securityPINSet) }
}
