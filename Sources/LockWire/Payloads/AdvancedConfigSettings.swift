/// The settings shared by Advanced Config (0x0037, after total degrees) and Set Advanced Config
/// (0x0035, before the challenge): 26 required bytes, then up to 5 optional ones.
///
/// | size | field | |
/// |---|---|---|
/// | 2 × 4 | unlocked, locked, single-locked position offsets; unlocked-to-locked transition offset (s16 LE) | required |
/// | 1 | lock'n'go timeout (s) | required |
/// | 1 | single button press action (``ButtonPressAction``) | required |
/// | 1 | double button press action | required |
/// | 1 | detached cylinder | required |
/// | 1 | battery type | required |
/// | 1 | automatic battery type detection | required |
/// | 1 | unlatch duration (s) | required |
/// | 2 | auto lock timeout (s, u16 LE) | required |
/// | 1 | auto unlock disabled | required |
/// | 1 | nightmode enabled | required |
/// | 2 + 2 | nightmode start and end time | required |
/// | 1 | nightmode auto lock enabled | required |
/// | 1 | nightmode auto unlock disabled | required |
/// | 1 | nightmode immediate lock on start | required (end of the v2.1 form) |
/// | 1 | auto lock enabled | optional (v2.2) |
/// | 1 | immediate auto lock enabled (0xFF = not supported) | optional (v2.2) |
/// | 1 | auto update enabled | optional |
/// | 1 | motor speed (Ultra) | optional |
/// | 1 | slow speed during nightmode (Ultra) | optional |
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Advanced Config", `docs/wire.md` §5.9.
public struct AdvancedConfigSettings: Hashable, Sendable, Codable {
    public static let requiredByteCount = 26
    public static let maximumByteCount = 31

    public var unlockedPositionOffsetDegrees: Int16
    public var lockedPositionOffsetDegrees: Int16
    public var singleLockedPositionOffsetDegrees: Int16
    public var unlockedToLockedTransitionOffsetDegrees: Int16
    public var lockNGoTimeout: UInt8
    public var singleButtonPressAction: ButtonPressAction
    public var doubleButtonPressAction: ButtonPressAction
    public var detachedCylinder: Bool
    public var batteryType: BatteryType
    public var automaticBatteryTypeDetection: Bool
    public var unlatchDuration: UInt8
    public var autoLockTimeout: UInt16
    public var autoUnlockDisabled: Bool
    public var nightmodeEnabled: Bool
    public var nightmodeStartTime: TimeOfDay
    public var nightmodeEndTime: TimeOfDay
    public var nightmodeAutoLockEnabled: Bool
    public var nightmodeAutoUnlockDisabled: Bool
    public var nightmodeImmediateLockOnStart: Bool
    public var autoLockEnabled: Bool?
    public var immediateAutoLockEnabled: UInt8?
    public var autoUpdateEnabled: Bool?
    public var motorSpeed: UInt8?
    public var slowSpeedDuringNightmode: Bool?

    public init(
        unlockedPositionOffsetDegrees: Int16, lockedPositionOffsetDegrees: Int16,
        singleLockedPositionOffsetDegrees: Int16, unlockedToLockedTransitionOffsetDegrees: Int16,
        lockNGoTimeout: UInt8, singleButtonPressAction: ButtonPressAction,
        doubleButtonPressAction: ButtonPressAction, detachedCylinder: Bool, batteryType: BatteryType,
        automaticBatteryTypeDetection: Bool, unlatchDuration: UInt8, autoLockTimeout: UInt16,
        autoUnlockDisabled: Bool, nightmodeEnabled: Bool, nightmodeStartTime: TimeOfDay,
        nightmodeEndTime: TimeOfDay, nightmodeAutoLockEnabled: Bool, nightmodeAutoUnlockDisabled: Bool,
        nightmodeImmediateLockOnStart: Bool, autoLockEnabled: Bool? = nil, immediateAutoLockEnabled: UInt8? = nil,
        autoUpdateEnabled: Bool? = nil, motorSpeed: UInt8? = nil, slowSpeedDuringNightmode: Bool? = nil
    ) {
        self.unlockedPositionOffsetDegrees = unlockedPositionOffsetDegrees
        self.lockedPositionOffsetDegrees = lockedPositionOffsetDegrees
        self.singleLockedPositionOffsetDegrees = singleLockedPositionOffsetDegrees
        self.unlockedToLockedTransitionOffsetDegrees = unlockedToLockedTransitionOffsetDegrees
        self.lockNGoTimeout = lockNGoTimeout
        self.singleButtonPressAction = singleButtonPressAction
        self.doubleButtonPressAction = doubleButtonPressAction
        self.detachedCylinder = detachedCylinder
        self.batteryType = batteryType
        self.automaticBatteryTypeDetection = automaticBatteryTypeDetection
        self.unlatchDuration = unlatchDuration
        self.autoLockTimeout = autoLockTimeout
        self.autoUnlockDisabled = autoUnlockDisabled
        self.nightmodeEnabled = nightmodeEnabled
        self.nightmodeStartTime = nightmodeStartTime
        self.nightmodeEndTime = nightmodeEndTime
        self.nightmodeAutoLockEnabled = nightmodeAutoLockEnabled
        self.nightmodeAutoUnlockDisabled = nightmodeAutoUnlockDisabled
        self.nightmodeImmediateLockOnStart = nightmodeImmediateLockOnStart
        self.autoLockEnabled = autoLockEnabled
        self.immediateAutoLockEnabled = immediateAutoLockEnabled
        self.autoUpdateEnabled = autoUpdateEnabled
        self.motorSpeed = motorSpeed
        self.slowSpeedDuringNightmode = slowSpeedDuringNightmode
    }

    /// Reads the settings; the optional fields are read from the next `optionalBytes` bytes (0–5).
    /// Button actions and battery type must be documented values (`badParameter`).
    init(from r: inout WireReader, optionalBytes: Int) throws(WireError) {
        unlockedPositionOffsetDegrees = try r.readInt16("unlocked position offset")
        lockedPositionOffsetDegrees = try r.readInt16("locked position offset")
        singleLockedPositionOffsetDegrees = try r.readInt16("single locked position offset")
        unlockedToLockedTransitionOffsetDegrees = try r.readInt16("unlocked to locked transition offset")
        lockNGoTimeout = try r.readUInt8("lock'n'go timeout")
        singleButtonPressAction = try r.readDocumented("single button press action")
        doubleButtonPressAction = try r.readDocumented("double button press action")
        detachedCylinder = try r.readBool("detached cylinder")
        batteryType = try r.readDocumented("battery type")
        automaticBatteryTypeDetection = try r.readBool("automatic battery type detection")
        unlatchDuration = try r.readUInt8("unlatch duration")
        autoLockTimeout = try r.readUInt16("auto lock timeout")
        autoUnlockDisabled = try r.readBool("auto unlock disabled")
        nightmodeEnabled = try r.readBool("nightmode enabled")
        nightmodeStartTime = try r.readTimeOfDay("nightmode start time")
        nightmodeEndTime = try r.readTimeOfDay("nightmode end time")
        nightmodeAutoLockEnabled = try r.readBool("nightmode auto lock enabled")
        nightmodeAutoUnlockDisabled = try r.readBool("nightmode auto unlock disabled")
        nightmodeImmediateLockOnStart = try r.readBool("nightmode immediate lock on start")
        var optional = WireReader(try r.readBytes(optionalBytes, "optional settings"), context: r.context)
        autoLockEnabled = try optional.readOptionalBool("auto lock enabled")
        immediateAutoLockEnabled = try optional.readOptionalUInt8("immediate auto lock enabled")
        autoUpdateEnabled = try optional.readOptionalBool("auto update enabled")
        motorSpeed = try optional.readOptionalUInt8("motor speed")
        slowSpeedDuringNightmode = try optional.readOptionalBool("slow speed during nightmode")
        try optional.finish()
    }

    func encode(to w: inout WireWriter) {
        w.write(unlockedPositionOffsetDegrees)
        w.write(lockedPositionOffsetDegrees)
        w.write(singleLockedPositionOffsetDegrees)
        w.write(unlockedToLockedTransitionOffsetDegrees)
        w.write(lockNGoTimeout)
        w.write(singleButtonPressAction)
        w.write(doubleButtonPressAction)
        w.write(detachedCylinder)
        w.write(batteryType)
        w.write(automaticBatteryTypeDetection)
        w.write(unlatchDuration)
        w.write(autoLockTimeout)
        w.write(autoUnlockDisabled)
        w.write(nightmodeEnabled)
        w.write(nightmodeStartTime)
        w.write(nightmodeEndTime)
        w.write(nightmodeAutoLockEnabled)
        w.write(nightmodeAutoUnlockDisabled)
        w.write(nightmodeImmediateLockOnStart)
        w.writeTrailing([
            autoLockEnabled?.wireByte, immediateAutoLockEnabled, autoUpdateEnabled?.wireByte, motorSpeed,
            slowSpeedDuringNightmode?.wireByte,
        ])
    }
}
