/// Authorization Info (0x004C), Smart Lock Ultra only, lock → client, plain: security PIN is set (u8 0/1).
/// Example `4C 00 00 50 A4`.
///
/// Source: Nuki BLE API 2.3.0 §"Authorization Ultra", `docs/wire.md` §3.4.
public struct AuthorizationInfo: NukiPayload {
    public static let command = Command.authorizationInfo
    public var securityPINSet: Bool

    public init(securityPINSet: Bool) { self.securityPINSet = securityPINSet }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        securityPINSet = try r.readBool("security PIN set")
    }

    public func encode(to w: inout WireWriter) { w.write(securityPINSet) }
}
