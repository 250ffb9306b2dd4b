/// Time Control Entry ID (0x003A), lock → client, encrypted: the new entry's id (u8), the answer to
/// Add Time Control Entry.
///
/// Source: Nuki BLE API 2.1 §"Time Control Entry ID", `docs/wire.md` §4.
public struct TimeControlEntryID: NukiPayload {
    public static let command = Command.timeControlEntryID
    public var entryID: UInt8

    public init(entryID: UInt8) { self.entryID = entryID }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        entryID = try r.readUInt8("entry id")
    }

    public func encode(to w: inout WireWriter) { w.write(entryID) }
}
