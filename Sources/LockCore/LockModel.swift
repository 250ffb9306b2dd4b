import LockWire

/// What kind of lock is emulated: the layouts it sends and its hardware facts.
///
/// Encoders emit the layout of the emulated model (`docs/wire.md` §13): Keyturner States of 19
/// (API 2.0/2.1), 21 (2.2, Smart Lock 3) or 27 bytes (Smart Lock 4th gen, Ultra). The 15-byte
/// form of the v2.1 spec's example exists so the example replays byte for byte.
public struct LockModel: Hashable, Sendable, Codable {
    /// Bytes of Keyturner States sent, 15…27.
    public var keyturnerStatesLength: Int
    /// Security PIN width and pairing variant.
    public var wireContext: WireContext
    public var firmwareVersion: FirmwareVersion
    public var hardwareRevision: HardwareRevision
    /// Config byte 74 (0x04 Smart Lock 3/4th gen, 0x05 Ultra), nil on older models.
    public var deviceType: UInt8?
    /// How long one motor step (e.g. locked → unlocking) takes, in milliseconds; 0 moves instantly.
    public var motorStepMilliseconds: Int64

    public init(
        keyturnerStatesLength: Int, wireContext: WireContext, firmwareVersion: FirmwareVersion,
        hardwareRevision: HardwareRevision, deviceType: UInt8?, motorStepMilliseconds: Int64
    ) {
        self.keyturnerStatesLength = min(max(keyturnerStatesLength, KeyturnerStates.minimumByteCount), KeyturnerStates.maximumByteCount)
        self.wireContext = wireContext
        self.firmwareVersion = firmwareVersion
        self.hardwareRevision = hardwareRevision
        self.deviceType = deviceType
        self.motorStepMilliseconds = max(0, motorStepMilliseconds)
    }

    /// Smart Lock 3.0 on firmware 3.x: 21-byte Keyturner States, u16 PIN.
    public static let smartLock3 = LockModel(
        keyturnerStatesLength: 21, wireContext: .smartLock, firmwareVersion: FirmwareVersion(major: 3, minor: 8, patch: 2),
        hardwareRevision: HardwareRevision(major: 2, minor: 5), deviceType: 0x04, motorStepMilliseconds: 1000)
    /// Smart Lock 4th generation: 27-byte Keyturner States, u16 PIN.
    public static let smartLock4 = LockModel(
        keyturnerStatesLength: 27, wireContext: .smartLock, firmwareVersion: FirmwareVersion(major: 4, minor: 2, patch: 0),
        hardwareRevision: HardwareRevision(major: 3, minor: 0), deviceType: 0x04, motorStepMilliseconds: 1000)
    /// Smart Lock Ultra (and Smart Lock Go on firmware 5.x, which pairs the same way, `docs/wire.md`
    /// §13): 27-byte Keyturner States, u32 6-digit security PIN, the Ultra pairing of §3.4 on pairing
    /// service `a92ee300-…` (``LockWire/WireContext/ultra``), Config device type 0x05 (§12). The
    /// firmware and hardware numbers are placeholders of the 5th generation (UNSURE: not taken from
    /// a device).
    public static let ultra = LockModel(
        keyturnerStatesLength: 27, wireContext: .ultra, firmwareVersion: FirmwareVersion(major: 5, minor: 0, patch: 0),
        hardwareRevision: HardwareRevision(major: 5, minor: 0), deviceType: 0x05, motorStepMilliseconds: 1000)
}
