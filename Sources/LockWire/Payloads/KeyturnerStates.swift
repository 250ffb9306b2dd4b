/// Keyturner States (0x000C), lock → client, encrypted: 15 to 27 bytes by model and firmware.
///
/// | offset | size | field | |
/// |---|---|---|---|
/// | 0 | 1 | Nuki state | required |
/// | 1 | 1 | lock state | required |
/// | 2 | 1 | trigger | required |
/// | 3 | 7 | current time (UTC) | required |
/// | 10 | 2 | timezone offset, s16 minutes | required |
/// | 12 | 1 | critical battery state | required |
/// | 13 | 1 | config update count | required |
/// | 14 | 1 | lock'n'go timer | required (end of the 15-byte v1 form) |
/// | 15 | 1 | last lock action | optional |
/// | 16 | 1 | last lock action trigger | optional |
/// | 17 | 1 | last lock action completion status | optional |
/// | 18 | 1 | door sensor state | optional (end of the 19-byte v2.0 form) |
/// | 19 | 1 | nightmode active | optional |
/// | 20 | 1 | accessory battery state | optional (end of the 21-byte v2.2 form) |
/// | 21 | 1 | remote access status | optional |
/// | 22 | 1 | BLE connection strength, s8 | optional |
/// | 23 | 1 | Wi-Fi connection strength, s8 | optional |
/// | 24 | 1 | Wi-Fi status | optional |
/// | 25 | 1 | MQTT status | optional |
/// | 26 | 1 | Thread status | optional (end of the 27-byte SL4 form) |
///
/// Optional fields are present up to the length received; an absent field before a present one is
/// sent as 0. The lock should send at least 19 bytes (pyNukiBT needs 18); the 15-byte form decodes
/// because the v2.1 spec's own example uses it.
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Keyturner States", `docs/wire.md` §5.5 and §13.
public struct KeyturnerStates: NukiPayload {
    public static let command = Command.keyturnerStates
    public static let minimumByteCount = 15
    public static let maximumByteCount = 27

    public var nukiState: NukiState
    public var lockState: LockState
    public var trigger: Trigger
    public var currentTime: DateTime
    public var timezoneOffsetMinutes: Int16
    public var criticalBatteryState: CriticalBatteryState
    public var configUpdateCount: UInt8
    public var lockNGoTimer: UInt8
    public var lastLockAction: LockAction?
    public var lastLockActionTrigger: Trigger?
    public var lastLockActionCompletionStatus: CompletionStatus?
    public var doorSensorState: DoorSensorState?
    public var nightmodeActive: Bool?
    public var accessoryBatteryState: UInt8?
    public var remoteAccessStatus: UInt8?
    public var bleConnectionStrength: Int8?
    public var wifiConnectionStrength: Int8?
    public var wifiStatus: UInt8?
    public var mqttStatus: UInt8?
    public var threadStatus: UInt8?

    public init(
        nukiState: NukiState, lockState: LockState, trigger: Trigger, currentTime: DateTime,
        timezoneOffsetMinutes: Int16, criticalBatteryState: CriticalBatteryState, configUpdateCount: UInt8,
        lockNGoTimer: UInt8, lastLockAction: LockAction? = nil, lastLockActionTrigger: Trigger? = nil,
        lastLockActionCompletionStatus: CompletionStatus? = nil, doorSensorState: DoorSensorState? = nil,
        nightmodeActive: Bool? = nil, accessoryBatteryState: UInt8? = nil, remoteAccessStatus: UInt8? = nil,
        bleConnectionStrength: Int8? = nil, wifiConnectionStrength: Int8? = nil, wifiStatus: UInt8? = nil,
        mqttStatus: UInt8? = nil, threadStatus: UInt8? = nil
    ) {
        self.nukiState = nukiState
        self.lockState = lockState
        self.trigger = trigger
        self.currentTime = currentTime
        self.timezoneOffsetMinutes = timezoneOffsetMinutes
        self.criticalBatteryState = criticalBatteryState
        self.configUpdateCount = configUpdateCount
        self.lockNGoTimer = lockNGoTimer
        self.lastLockAction = lastLockAction
        self.lastLockActionTrigger = lastLockActionTrigger
        self.lastLockActionCompletionStatus = lastLockActionCompletionStatus
        self.doorSensorState = doorSensorState
        self.nightmodeActive = nightmodeActive
        self.accessoryBatteryState = accessoryBatteryState
        self.remoteAccessStatus = remoteAccessStatus
        self.bleConnectionStrength = bleConnectionStrength
        self.wifiConnectionStrength = wifiConnectionStrength
        self.wifiStatus = wifiStatus
        self.mqttStatus = mqttStatus
        self.threadStatus = threadStatus
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        nukiState = NukiState(rawValue: try r.readUInt8("Nuki state"))
        lockState = LockState(rawValue: try r.readUInt8("lock state"))
        trigger = Trigger(rawValue: try r.readUInt8("trigger"))
        currentTime = try r.readDateTime("current time")
        timezoneOffsetMinutes = try r.readInt16("timezone offset")
        criticalBatteryState = CriticalBatteryState(rawValue: try r.readUInt8("critical battery state"))
        configUpdateCount = try r.readUInt8("config update count")
        lockNGoTimer = try r.readUInt8("lock'n'go timer")
        guard r.count <= KeyturnerStates.maximumByteCount - KeyturnerStates.minimumByteCount else {
            throw WireError(.trailingBytes, "\(r.context): longer than \(KeyturnerStates.maximumByteCount) bytes")
        }
        lastLockAction = try r.readOptionalUInt8("last lock action").map(LockAction.init(rawValue:))
        lastLockActionTrigger = try r.readOptionalUInt8("last lock action trigger").map(Trigger.init(rawValue:))
        lastLockActionCompletionStatus = try r.readOptionalUInt8("completion status").map(CompletionStatus.init(rawValue:))
        doorSensorState = try r.readOptionalUInt8("door sensor state").map(DoorSensorState.init(rawValue:))
        nightmodeActive = try r.readOptionalBool("nightmode active")
        accessoryBatteryState = try r.readOptionalUInt8("accessory battery state")
        remoteAccessStatus = try r.readOptionalUInt8("remote access status")
        bleConnectionStrength = try r.readOptionalUInt8("BLE connection strength").map(Int8.init(bitPattern:))
        wifiConnectionStrength = try r.readOptionalUInt8("Wi-Fi connection strength").map(Int8.init(bitPattern:))
        wifiStatus = try r.readOptionalUInt8("Wi-Fi status")
        mqttStatus = try r.readOptionalUInt8("MQTT status")
        threadStatus = try r.readOptionalUInt8("Thread status")
    }

    public func encode(to w: inout WireWriter) {
        w.write(nukiState)
        w.write(lockState)
        w.write(trigger)
        w.write(currentTime)
        w.write(timezoneOffsetMinutes)
        w.write(criticalBatteryState.rawValue)
        w.write(configUpdateCount)
        w.write(lockNGoTimer)
        w.writeTrailing([
            lastLockAction?.rawValue, lastLockActionTrigger?.rawValue, lastLockActionCompletionStatus?.rawValue,
            doorSensorState?.rawValue, nightmodeActive?.wireByte, accessoryBatteryState, remoteAccessStatus,
            bleConnectionStrength.map(UInt8.init(bitPattern:)), wifiConnectionStrength.map(UInt8.init(bitPattern:)),
            wifiStatus, mqttStatus, threadStatus,
        ])
    }
}
