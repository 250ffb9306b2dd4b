/// Time Control Entry (0x003E), lock → client, encrypted (6 bytes): entry id u8, enabled u8,
/// ``TimeControlSchedule`` (weekdays, time, lock action).
///
/// Source: Nuki BLE API 2.1 §"Time Control Entry", `docs/wire.md` §4 and §5.10.
public struct TimeControlEntry: NukiPayload, Codable {
    public static let command = Command.timeControlEntry
    public var entryID: UInt8
    public var enabled: Bool
    public var schedule: TimeControlSchedule

    public init(entryID: UInt8, enabled: Bool, schedule: TimeControlSchedule) {
        self.entryID = entryID
        self.enabled = enabled
        self.schedule = schedule
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        entryID = try r.readUInt8("entry id")
        enabled = try r.readBool("enabled")
        schedule = try r.readTimeControlSchedule()
    }

    public func encode(to w: inout WireWriter) {
        w.write(entryID)
        w.write(enabled)
        w.write(schedule)
    }
}
