/// The type byte of a Log Entry (0x0032); it decides the layout of the entry's data.
///
/// Source: Nuki BLE API 2.1 §"Log entry types", 2.3.0; `docs/wire.md` §8.
public struct LogEntryType: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let loggingEnabled = Self(rawValue: 0x01)
    public static let lockAction = Self(rawValue: 0x02)
    public static let calibration = Self(rawValue: 0x03)
    public static let initializationRun = Self(rawValue: 0x04)
    public static let keypadAction = Self(rawValue: 0x05)
    public static let doorSensor = Self(rawValue: 0x06)
    public static let doorSensorLoggingEnabled = Self(rawValue: 0x07)

    public static let documented: [(code: Self, name: String)] = [
        (.loggingEnabled, "LOGGING_ENABLED"),
        (.lockAction, "LOCK_ACTION"),
        (.calibration, "CALIBRATION"),
        (.initializationRun, "INITIALIZATION_RUN"),
        (.keypadAction, "KEYPAD_ACTION"),
        (.doorSensor, "DOOR_SENSOR"),
        (.doorSensorLoggingEnabled, "DOOR_SENSOR_LOGGING_ENABLED"),
    ]
}
