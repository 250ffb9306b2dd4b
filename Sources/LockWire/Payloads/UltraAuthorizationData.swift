/// Authorization Data (0x0006) of Smart Lock Ultra, sent encrypted on the pairing GDIO (40 bytes):
/// app id u32 LE, name[32], security PIN u32 LE (6 digits).
///
/// Source: Nuki BLE API 2.3.0 §"Authorization Ultra", `docs/wire.md` §3.4 (PDATA layout UNSURE there).
public struct UltraAuthorizationData: NukiPayload {
    public static let command = Command.authorizationData
    public static let byteCount = 40

    public var appID: UInt32
    public var name: FixedName
    public var securityPIN: UInt32

    public init(appID: UInt32, name: FixedName, securityPIN: UInt32) {
        self.appID = appID
        self.name = name
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(UltraAuthorizationData.byteCount)
        appID = try r.readUInt32("app id")
        name = try r.readName(width: FixedName.nameWidth, "name")
        securityPIN = try r.readUInt32("security PIN")
    }

    public func encode(to w: inout WireWriter) {
        w.write(appID)
        w.write(name)
        w.write(securityPIN)
    }
}
