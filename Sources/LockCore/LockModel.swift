import LockWire

/// What kind of lock is emulated: the layouts it sends and its hardware facts, resolved from a
/// ``LockProfile`` and a firmware version (``LockProfile/model(firmware:)``). Every behaviour that
/// differs between devices reads one of these fields.
///
/// Encoders emit the layout of the emulated model (`docs/wire.md` §13): Keyturner States of 19
/// (API 2.0/2.1), 20 (Smart Lock 1.0), 21 (2.2, Smart Lock 2.0/3.0) or 27 bytes (Smart Lock 4th
/// gen, Ultra, Go); Config of 71 (old firmware), 74 (v2.1), 77 (Smart Lock 3.0), 78 (v2.3) or 79
/// bytes; Advanced Config of 28, 31 or 33 bytes. The 15-byte Keyturner States of the v2.1 spec's
/// example exists so the example replays byte for byte.
///
/// Persisted (state file schema 2) as the profile, the firmware and the motor step only:
/// `{"profile": "sl3", "firmware": "3.8.2", "motorStepMilliseconds": 1000}`; every other fact is
/// the profile's. A model object without `profile` (schema 1, written before profiles existed) is
/// today's Smart Lock 3.0 (``LockProfile/sl3`` on 3.8.2), keeping its motor step.
public struct LockModel: Hashable, Sendable, Codable {
    /// The device these facts describe.
    public var profile: LockProfile = .sl3
    /// Bytes of Keyturner States sent, 15…27.
    public var keyturnerStatesLength: Int
    /// Security PIN width and pairing variant (``LockWire/WireContext/ultraPairing``: the Ultra
    /// pairing of Nuki BLE API 2.3.0 §3.4).
    public var wireContext: WireContext
    public var firmwareVersion: FirmwareVersion
    public var hardwareRevision: HardwareRevision
    /// Config byte 74 (0x04 Smart Lock 3/4th gen, 0x05 Ultra), nil on older models.
    public var deviceType: UInt8?
    /// How long one motor step (e.g. locked → unlocking) takes, in milliseconds; 0 moves instantly.
    public var motorStepMilliseconds: Int64
    /// Bytes of Config (0x0015) sent: 71 (up to the hardware revision), 74 (+ HomeKit status,
    /// timezone id), 75 (+ device type), 76 (+ capabilities), 77 (+ has keypad 2), 78 (+ Matter
    /// status) or 79 (+ product variant). Source: Nuki BLE API 2.1/2.3.0 §"Config", protocol.md §5.8, §13.
    public var configByteCount: Int
    /// Bytes of Advanced Config (0x0037) sent: 28 (v2.1), 31 (+ auto lock enabled, immediate auto
    /// lock, auto update; API 2.2.1) or 33 (+ motor speed, slow speed at night; Ultra).
    public var advancedConfigByteCount: Int
    /// False where Advanced Config reports immediate auto lock as 0xFF, "not supported" (Smart Lock
    /// 1.0, protocol.md §5.9, §12); Set Advanced Config then ignores the field.
    public var reportsImmediateAutoLock = true
    /// Whether the lock answers Exchange MTU; false on firmware before SL 1.9.3 / 2.7.20, which
    /// answers it with ATT Error Response Request Not Supported (0x06) and stays at ATT_MTU 23.
    public var exchangesMTU = true
    /// BLE connections the lock serves at once: about 4 on current firmware, 1 on old firmware
    /// (protocol.md §13). Past it the loop evicts an idle unauthenticated connection or refuses.
    public var maxConnections = 4
    /// Whether the lock has a door sensor; without one Keyturner States byte 18 stays 0x00
    /// (unavailable) whatever the door does.
    public var hasDoorSensor = true
    /// Config byte 75, capabilities: bit 0 Wi-Fi, bit 1 Thread/Matter (SL3+); nil before it.
    public var capabilities: UInt8?

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
        configByteCount = deviceType == nil ? 74 : 75
        advancedConfigByteCount = keyturnerStatesLength < 21 ? 28 : deviceType == 0x05 ? 33 : 31
    }

    /// Digits of the security PIN: 4 for the u16 PIN, 6 for the Ultra's u32 (Nuki BLE API 2.3.0
    /// §"Security PIN Handling", protocol.md §3.5, §12).
    public var securityPINDigits: Int { wireContext.securityPINWidth.digits }
    /// The largest security PIN the model takes: 9999 or 999999.
    public var maximumSecurityPIN: UInt32 { wireContext.securityPINWidth.maximum }

    /// Smart Lock 3.0 on firmware 3.8.2 (``LockProfile/sl3``): 21-byte Keyturner States, u16 PIN.
    public static let smartLock3 = LockProfile.sl3.defaultModel
    /// Smart Lock 4th generation on 4.2.0 (``LockProfile/sl4``): 27-byte Keyturner States, u16 PIN.
    public static let smartLock4 = LockProfile.sl4.defaultModel
    /// Smart Lock Ultra on 5.0.0 (``LockProfile/ultra``): u32 6-digit PIN, the Ultra pairing of
    /// §3.4 (``LockWire/WireContext/ultra``), Config device type 0x05.
    public static let ultra = LockProfile.ultra.defaultModel

    enum CodingKeys: String, CodingKey {
        case profile, firmware, motorStepMilliseconds
    }

    /// Decodes a persisted model (see the type's documentation): an unknown profile, a firmware
    /// that is not `X.Y.Z` or not the device's throw `DecodingError.dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let step = try c.decodeIfPresent(Int64.self, forKey: .motorStepMilliseconds) ?? 1000
        guard let profile = try c.decodeIfPresent(LockProfile.self, forKey: .profile) else {
            self = LockProfile.sl3.defaultModel  // schema 1: the one model lock serve had
            motorStepMilliseconds = step
            return
        }
        let text = try c.decode(String.self, forKey: .firmware)
        guard let firmware = LockProfile.parseFirmware(text) else {
            throw DecodingError.dataCorruptedError(forKey: .firmware, in: c, debugDescription: "firmware \"\(text)\" is not X.Y.Z")
        }
        do {
            self = try profile.model(firmware: firmware)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .firmware, in: c, debugDescription: error.description)
        }
        motorStepMilliseconds = step
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(profile, forKey: .profile)
        try c.encode(firmwareVersion.description, forKey: .firmware)
        try c.encode(motorStepMilliseconds, forKey: .motorStepMilliseconds)
    }
}

extension LockProfile {
    /// The facts of this device on its ``defaultFirmware`` (which is always one of its own).
    public var defaultModel: LockModel {
        (try? model()) ?? LockModel(
            keyturnerStatesLength: 21, wireContext: .smartLock, firmwareVersion: defaultFirmware,
            hardwareRevision: HardwareRevision(major: 2, minor: 5), deviceType: 0x04, motorStepMilliseconds: 1000)
    }
}
