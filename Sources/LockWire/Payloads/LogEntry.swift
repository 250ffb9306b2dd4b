/// Log Entry (0x0032), lock → client, encrypted:
///
/// | size | field |
/// |---|---|
/// | 4 | index (u32 LE) |
/// | 7 | timestamp (UTC; all zero on some firmware) |
/// | 4 | authorization id (u32 LE) |
/// | 32 | name |
/// | 1 | type (``LogEntryType``) |
/// | x | data by type (``Event``), then padding |
///
/// Real locks pad the data (SL3 to 5 bytes, SL4 with 3 extra bytes); the padding is kept so entries
/// round-trip, and ``init(index:timestamp:authID:name:event:)`` pads to 5 data bytes, the fixed
/// 53-byte entry both open-source clients parse. Padding is capped at ``maximumPaddingBytes``.
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Log Entry", pyNukiBT comments; `docs/wire.md` §8.
public struct LogEntry: NukiPayload, Codable {
    public static let command = Command.logEntry
    /// Header bytes before the data: index, timestamp, auth id, name, type.
    public static let headerByteCount = 48
    public static let maximumPaddingBytes = 16

    /// The data of a log entry, by type.
    public enum Event: Hashable, Sendable, Codable {
        /// Type 0x01: logging enabled (1 byte).
        case loggingEnabled(Bool)
        /// Type 0x02: lock action (4 bytes).
        case lockAction(LockActionLog)
        /// Type 0x03: calibration (same 4 bytes as a lock action).
        case calibration(LockActionLog)
        /// Type 0x04: initialization run (same 4 bytes as a lock action).
        case initializationRun(LockActionLog)
        /// Type 0x05: keypad action (5 bytes).
        case keypadAction(KeypadActionLog)
        /// Type 0x06: door sensor, 0 opened, 1 closed, 2 jammed, 3 tampered (1 byte).
        case doorSensor(UInt8)
        /// Type 0x07: door sensor logging enabled (1 byte).
        case doorSensorLoggingEnabled(Bool)
        /// Any other type: its data bytes are kept as padding.
        case other(LogEntryType)

        public var type: LogEntryType {
            switch self {
            case .loggingEnabled: return .loggingEnabled
            case .lockAction: return .lockAction
            case .calibration: return .calibration
            case .initializationRun: return .initializationRun
            case .keypadAction: return .keypadAction
            case .doorSensor: return .doorSensor
            case .doorSensorLoggingEnabled: return .doorSensorLoggingEnabled
            case .other(let type): return type
            }
        }

        /// Bytes of typed data.
        var dataByteCount: Int {
            switch self {
            case .loggingEnabled, .doorSensor, .doorSensorLoggingEnabled: return 1
            case .lockAction, .calibration, .initializationRun: return 4
            case .keypadAction: return 5
            case .other: return 0
            }
        }
    }

    /// Data of lock action, calibration and initialization run entries (4 bytes): lock action, trigger,
    /// flags, completion status.
    public struct LockActionLog: Hashable, Sendable, Codable {
        public var action: LockAction
        public var trigger: Trigger
        public var flags: UInt8
        public var completionStatus: CompletionStatus

        public init(action: LockAction, trigger: Trigger, flags: UInt8, completionStatus: CompletionStatus) {
            self.action = action
            self.trigger = trigger
            self.flags = flags
            self.completionStatus = completionStatus
        }
    }

    /// Data of keypad action entries (5 bytes): lock action, source, completion status (0xE0 invalid
    /// code), code id u16 LE.
    public struct KeypadActionLog: Hashable, Sendable, Codable {
        public var action: LockAction
        public var source: KeypadActionSource
        public var completionStatus: CompletionStatus
        public var codeID: UInt16

        public init(action: LockAction, source: KeypadActionSource, completionStatus: CompletionStatus, codeID: UInt16) {
            self.action = action
            self.source = source
            self.completionStatus = completionStatus
            self.codeID = codeID
        }
    }

    public var index: UInt32
    public var timestamp: DateTime
    public var authID: UInt32
    public var name: FixedName
    public var event: Event
    /// Bytes after the typed data, kept as received.
    public var padding: [UInt8]

    public init(index: UInt32, timestamp: DateTime, authID: UInt32, name: FixedName, event: Event, padding: [UInt8]) {
        self.index = index
        self.timestamp = timestamp
        self.authID = authID
        self.name = name
        self.event = event
        self.padding = padding
    }

    /// An entry whose data is zero-padded to 5 bytes (a 53-byte payload).
    public init(index: UInt32, timestamp: DateTime, authID: UInt32, name: FixedName, event: Event) {
        self.init(
            index: index, timestamp: timestamp, authID: authID, name: name, event: event,
            padding: [UInt8](repeating: 0, count: max(0, 5 - event.dataByteCount)))
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        index = try r.readUInt32("index")
        timestamp = try r.readDateTime("timestamp")
        authID = try r.readUInt32("authorization id")
        name = try r.readName(width: FixedName.nameWidth, "name")
        let type = LogEntryType(rawValue: try r.readUInt8("type"))
        switch type {
        case .loggingEnabled: event = .loggingEnabled(try r.readBool("logging enabled"))
        case .lockAction: event = .lockAction(try r.readLockActionLog())
        case .calibration: event = .calibration(try r.readLockActionLog())
        case .initializationRun: event = .initializationRun(try r.readLockActionLog())
        case .keypadAction:
            event = .keypadAction(
                KeypadActionLog(
                    action: LockAction(rawValue: try r.readUInt8("lock action")),
                    source: KeypadActionSource(rawValue: try r.readUInt8("source")),
                    completionStatus: CompletionStatus(rawValue: try r.readUInt8("completion status")),
                    codeID: try r.readUInt16("code id")))
        case .doorSensor: event = .doorSensor(try r.readUInt8("door sensor event"))
        case .doorSensorLoggingEnabled: event = .doorSensorLoggingEnabled(try r.readBool("door sensor logging enabled"))
        default: event = .other(type)
        }
        guard r.count <= LogEntry.maximumPaddingBytes else {
            throw WireError(.trailingBytes, "\(r.context): \(r.count) bytes after the data exceed \(LogEntry.maximumPaddingBytes)")
        }
        padding = Array(r.readRest())
    }

    public func encode(to w: inout WireWriter) {
        w.write(index)
        w.write(timestamp)
        w.write(authID)
        w.write(name)
        w.write(event.type)
        switch event {
        case .loggingEnabled(let enabled), .doorSensorLoggingEnabled(let enabled): w.write(enabled)
        case .lockAction(let log), .calibration(let log), .initializationRun(let log):
            w.write(log.action)
            w.write(log.trigger)
            w.write(log.flags)
            w.write(log.completionStatus)
        case .keypadAction(let log):
            w.write(log.action)
            w.write(log.source)
            w.write(log.completionStatus)
            w.write(log.codeID)
        case .doorSensor(let value): w.write(value)
        case .other: break
        }
        w.write(contentsOf: padding)
    }
}

extension WireReader {
    fileprivate mutating func readLockActionLog() throws(WireError) -> LogEntry.LockActionLog {
        LogEntry.LockActionLog(
            action: LockAction(rawValue: try readUInt8("lock action")),
            trigger: Trigger(rawValue: try readUInt8("trigger")),
            flags: try readUInt8("flags"),
            completionStatus: CompletionStatus(rawValue: try readUInt8("completion status")))
    }
}
