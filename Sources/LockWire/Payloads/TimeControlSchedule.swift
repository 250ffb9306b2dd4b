/// The schedule of a time control entry (4 bytes): weekdays u8 (``Weekdays``), time (hour, minute),
/// lock action u8. Decoding a lock action outside 0x01–0x06 throws `badParameter`.
///
/// Source: Nuki BLE API 2.1 §"Add Time Control Entry", `docs/wire.md` §5.10.
public struct TimeControlSchedule: Hashable, Sendable, Codable {
    public var weekdays: Weekdays
    public var time: TimeOfDay
    public var lockAction: LockAction

    public static let byteCount = 4

    public init(weekdays: Weekdays, time: TimeOfDay, lockAction: LockAction) {
        self.weekdays = weekdays
        self.time = time
        self.lockAction = lockAction
    }
}

extension WireReader {
    public mutating func readTimeControlSchedule() throws(WireError) -> TimeControlSchedule {
        let weekdays = try readWeekdays("weekdays")
        let time = try readTimeOfDay("time")
        let action = LockAction(rawValue: try readUInt8("lock action"))
        guard (0x01...0x06).contains(action.rawValue) else {
            throw WireError(.badParameter, "\(context): lock action \(action) cannot be scheduled")
        }
        return TimeControlSchedule(weekdays: weekdays, time: time, lockAction: action)
    }
}

extension WireWriter {
    public mutating func write(_ value: TimeControlSchedule) {
        write(value.weekdays)
        write(value.time)
        write(value.lockAction)
    }
}
