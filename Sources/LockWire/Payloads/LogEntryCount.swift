/// Log Entry Count (0x0033), lock → client, encrypted (5 bytes): logging enabled u8, count u16 LE,
/// door sensor enabled u8, door sensor logging enabled u8. Sent first when Request Log Entries sets
/// its total-count flag.
///
/// Source: Nuki BLE API 2.1 §"Log Entry Count", `docs/wire.md` §4 and §8.
public struct LogEntryCount: NukiPayload {
    public static let command = Command.logEntryCount
    public var loggingEnabled: Bool
    public var count: UInt16
    public var doorSensorEnabled: Bool
    public var doorSensorLoggingEnabled: Bool

    public init(loggingEnabled: Bool, count: UInt16, doorSensorEnabled: Bool, doorSensorLoggingEnabled: Bool) {
        self.loggingEnabled = loggingEnabled
        self.count = count
        self.doorSensorEnabled = doorSensorEnabled
        self.doorSensorLoggingEnabled = doorSensorLoggingEnabled
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        loggingEnabled = try r.readBool("logging enabled")
        count = try r.readUInt16("count")
        doorSensorEnabled = try r.readBool("door sensor enabled")
        doorSensorLoggingEnabled = try r.readBool("door sensor logging enabled")
    }

    public func encode(to w: inout WireWriter) {
        w.write(loggingEnabled)
        w.write(count)
        w.write(doorSensorEnabled)
        w.write(doorSensorLoggingEnabled)
    }
}
