/// Authorization Entry Count (0x0027), lock → client, encrypted: count u16 LE, sent before the entries of Request Authorization Entries.
///
/// Source: Nuki BLE API 2.1 §"Authorization Entry Count", `docs/wire.md` §4.1.
public struct AuthorizationEntryCount: NukiPayload {
    public static let command = Command.authorizationEntryCount
    public var count: UInt16

    public init(count: UInt16) { self.count = count }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        count = try r.readUInt16("count")
    }

    public func encode(to w: inout WireWriter) { w.write(count) }
}
