/// Battery Report (0x0011), lock → client, encrypted (17 bytes):
///
/// | size | field | unit |
/// |---|---|---|
/// | 2 | battery drain | mWs |
/// | 2 | battery voltage | mV |
/// | 1 | critical battery state (0 ok, 1 critical) | |
/// | 1 | lock action of the measurement | |
/// | 2 | start voltage | mV |
/// | 2 | lowest voltage | mV |
/// | 2 | lock distance | degrees |
/// | 1 | start temperature (s8) | °C |
/// | 2 | max turn current | mA |
/// | 2 | battery resistance | mΩ |
///
/// Source: Nuki BLE API 2.1 §"Battery Report", `docs/wire.md` §4 and §5.6.
public struct BatteryReport: NukiPayload {
    public static let command = Command.batteryReport
    public var batteryDrain: UInt16
    public var batteryVoltage: UInt16
    public var criticalBatteryState: Bool
    public var lockAction: LockAction
    public var startVoltage: UInt16
    public var lowestVoltage: UInt16
    public var lockDistance: UInt16
    public var startTemperature: Int8
    public var maxTurnCurrent: UInt16
    public var batteryResistance: UInt16

    public init(
        batteryDrain: UInt16, batteryVoltage: UInt16, criticalBatteryState: Bool, lockAction: LockAction,
        startVoltage: UInt16, lowestVoltage: UInt16, lockDistance: UInt16, startTemperature: Int8,
        maxTurnCurrent: UInt16, batteryResistance: UInt16
    ) {
        self.batteryDrain = batteryDrain
        self.batteryVoltage = batteryVoltage
        self.criticalBatteryState = criticalBatteryState
        self.lockAction = lockAction
        self.startVoltage = startVoltage
        self.lowestVoltage = lowestVoltage
        self.lockDistance = lockDistance
        self.startTemperature = startTemperature
        self.maxTurnCurrent = maxTurnCurrent
        self.batteryResistance = batteryResistance
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        batteryDrain = try r.readUInt16("battery drain")
        batteryVoltage = try r.readUInt16("battery voltage")
        criticalBatteryState = try r.readBool("critical battery state")
        lockAction = LockAction(rawValue: try r.readUInt8("lock action"))
        startVoltage = try r.readUInt16("start voltage")
        lowestVoltage = try r.readUInt16("lowest voltage")
        lockDistance = try r.readUInt16("lock distance")
        startTemperature = try r.readInt8("start temperature")
        maxTurnCurrent = try r.readUInt16("max turn current")
        batteryResistance = try r.readUInt16("battery resistance")
    }

    public func encode(to w: inout WireWriter) {
        w.write(batteryDrain)
        w.write(batteryVoltage)
        w.write(criticalBatteryState)
        w.write(lockAction)
        w.write(startVoltage)
        w.write(lowestVoltage)
        w.write(lockDistance)
        w.write(startTemperature)
        w.write(maxTurnCurrent)
        w.write(batteryResistance)
    }
}
