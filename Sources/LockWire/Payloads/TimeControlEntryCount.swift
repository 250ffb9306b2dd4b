/// Time Control Entry Count (0x003D), lock → client, encrypted: count u8 (not u16), sent before the entries of Request Time Control Entries.
///
/// Source: Nuki BLE API 2.1 §"Time Control Entry Count", `docs/wire.md` §4 and §5.10.
public struct TimeControlEntryCount: NukiPayload {
    public static let command = Command.timeControlEntryCount
    public var count: UInt8

    public init(count: UInt8) { self.count = count }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        count = try r.readUInt8("count")
    }

    public func encode(to w: inout WireWriter) { w.write(count) }
}
