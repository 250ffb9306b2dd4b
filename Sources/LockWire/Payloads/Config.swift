/// Config (0x0015), lock → client, encrypted: 71 to 79 bytes by model and firmware.
///
/// | offset | size | field | |
/// |---|---|---|---|
/// | 0 | 4 | Nuki ID (u32 LE) | required |
/// | 4 | 32 | name | required |
/// | 36 | 4 | latitude (float32 LE) | required |
/// | 40 | 4 | longitude (float32 LE) | required |
/// | 44 | 1 | auto unlatch | required |
/// | 45 | 1 | pairing enabled | required |
/// | 46 | 1 | button enabled | required |
/// | 47 | 1 | LED enabled | required |
/// | 48 | 1 | LED brightness 0–5 | required |
/// | 49 | 7 | current time | required |
/// | 56 | 2 | timezone offset, s16 minutes | required |
/// | 58 | 1 | DST mode | required |
/// | 59 | 1 | has fob | required |
/// | 60 | 3 | fob action 1, 2, 3 | required |
/// | 63 | 1 | single lock | required |
/// | 64 | 1 | advertising mode | required |
/// | 65 | 1 | has keypad | required |
/// | 66 | 3 | firmware version | required |
/// | 69 | 2 | hardware revision | required (end of old firmware's 71 bytes) |
/// | 71 | 1 | HomeKit status | optional |
/// | 72 | 2 | timezone id (u16 LE) | optional (end of the 74-byte v2.1 form) |
/// | 74 | 1 | device type | optional |
/// | 75 | 1 | capabilities | optional |
/// | 76 | 1 | has keypad 2 | optional |
/// | 77 | 1 | Matter status | optional (end of the 78-byte v2.3 form) |
/// | 78 | 1 | product variant (NukiBleEsp32, undocumented) | optional |
///
/// A timezone id cut after one byte throws `truncated`; non-finite coordinates throw `badParameter`.
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Config", `docs/wire.md` §5.8 and §13.
public struct Config: NukiPayload {
    public static let command = Command.config
    public static let minimumByteCount = 71
    public static let maximumByteCount = 79

    public var nukiID: UInt32
    public var name: FixedName
    public var latitude: Float
    public var longitude: Float
    public var autoUnlatch: Bool
    public var pairingEnabled: Bool
    public var buttonEnabled: Bool
    public var ledEnabled: Bool
    public var ledBrightness: UInt8
    public var currentTime: DateTime
    public var timezoneOffsetMinutes: Int16
    public var dstMode: DSTMode
    public var hasFob: Bool
    public var fobAction1: FobAction
    public var fobAction2: FobAction
    public var fobAction3: FobAction
    public var singleLock: Bool
    public var advertisingMode: AdvertisingMode
    public var hasKeypad: Bool
    public var firmwareVersion: FirmwareVersion
    public var hardwareRevision: HardwareRevision
    public var homeKitStatus: UInt8?
    public var timezoneID: TimeZoneID?
    public var deviceType: UInt8?
    public var capabilities: UInt8?
    public var hasKeypad2: Bool?
    public var matterStatus: UInt8?
    public var productVariant: UInt8?

    public init(
        nukiID: UInt32, name: FixedName, latitude: Float, longitude: Float, autoUnlatch: Bool,
        pairingEnabled: Bool, buttonEnabled: Bool, ledEnabled: Bool, ledBrightness: UInt8,
        currentTime: DateTime, timezoneOffsetMinutes: Int16, dstMode: DSTMode, hasFob: Bool,
        fobAction1: FobAction, fobAction2: FobAction, fobAction3: FobAction, singleLock: Bool,
        advertisingMode: AdvertisingMode, hasKeypad: Bool, firmwareVersion: FirmwareVersion,
        hardwareRevision: HardwareRevision, homeKitStatus: UInt8? = nil, timezoneID: TimeZoneID? = nil,
        deviceType: UInt8? = nil, capabilities: UInt8? = nil, hasKeypad2: Bool? = nil,
        matterStatus: UInt8? = nil, productVariant: UInt8? = nil
    ) {
        self.nukiID = nukiID
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.autoUnlatch = autoUnlatch
        self.pairingEnabled = pairingEnabled
        self.buttonEnabled = buttonEnabled
        self.ledEnabled = ledEnabled
        self.ledBrightness = ledBrightness
        self.currentTime = currentTime
        self.timezoneOffsetMinutes = timezoneOffsetMinutes
        self.dstMode = dstMode
        self.hasFob = hasFob
        self.fobAction1 = fobAction1
        self.fobAction2 = fobAction2
        self.fobAction3 = fobAction3
        self.singleLock = singleLock
        self.advertisingMode = advertisingMode
        self.hasKeypad = hasKeypad
        self.firmwareVersion = firmwareVersion
        self.hardwareRevision = hardwareRevision
        self.homeKitStatus = homeKitStatus
        self.timezoneID = timezoneID
        self.deviceType = deviceType
        self.capabilities = capabilities
        self.hasKeypad2 = hasKeypad2
        self.matterStatus = matterStatus
        self.productVariant = productVariant
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        nukiID = try r.readUInt32("Nuki ID")
        name = try r.readName(width: FixedName.nameWidth, "name")
        latitude = try r.readCoordinate("latitude")
        longitude = try r.readCoordinate("longitude")
        autoUnlatch = try r.readBool("auto unlatch")
        pairingEnabled = try r.readBool("pairing enabled")
        buttonEnabled = try r.readBool("button enabled")
        ledEnabled = try r.readBool("LED enabled")
        ledBrightness = try r.readUInt8("LED brightness")
        currentTime = try r.readDateTime("current time")
        timezoneOffsetMinutes = try r.readInt16("timezone offset")
        dstMode = DSTMode(rawValue: try r.readUInt8("DST mode"))
        hasFob = try r.readBool("has fob")
        fobAction1 = FobAction(rawValue: try r.readUInt8("fob action 1"))
        fobAction2 = FobAction(rawValue: try r.readUInt8("fob action 2"))
        fobAction3 = FobAction(rawValue: try r.readUInt8("fob action 3"))
        singleLock = try r.readBool("single lock")
        advertisingMode = AdvertisingMode(rawValue: try r.readUInt8("advertising mode"))
        hasKeypad = try r.readBool("has keypad")
        firmwareVersion = FirmwareVersion(
            major: try r.readUInt8("firmware version"), minor: try r.readUInt8("firmware version"),
            patch: try r.readUInt8("firmware version"))
        hardwareRevision = HardwareRevision(
            major: try r.readUInt8("hardware revision"), minor: try r.readUInt8("hardware revision"))
        guard r.count <= Config.maximumByteCount - Config.minimumByteCount else {
            throw WireError(.trailingBytes, "\(r.context): longer than \(Config.maximumByteCount) bytes")
        }
        homeKitStatus = try r.readOptionalUInt8("HomeKit status")
        timezoneID = r.isAtEnd ? nil : TimeZoneID(rawValue: try r.readUInt16("timezone id"))
        deviceType = try r.readOptionalUInt8("device type")
        capabilities = try r.readOptionalUInt8("capabilities")
        hasKeypad2 = try r.readOptionalBool("has keypad 2")
        matterStatus = try r.readOptionalUInt8("Matter status")
        productVariant = try r.readOptionalUInt8("product variant")
    }

    public func encode(to w: inout WireWriter) {
        w.write(nukiID)
        w.write(name)
        w.write(latitude)
        w.write(longitude)
        w.write(autoUnlatch)
        w.write(pairingEnabled)
        w.write(buttonEnabled)
        w.write(ledEnabled)
        w.write(ledBrightness)
        w.write(currentTime)
        w.write(timezoneOffsetMinutes)
        w.write(dstMode)
        w.write(hasFob)
        w.write(fobAction1)
        w.write(fobAction2)
        w.write(fobAction3)
        w.write(singleLock)
        w.write(advertisingMode)
        w.write(hasKeypad)
        w.write(firmwareVersion.major)
        w.write(firmwareVersion.minor)
        w.write(firmwareVersion.patch)
        w.write(hardwareRevision.major)
        w.write(hardwareRevision.minor)
        let tail: [UInt8?] = [deviceType, capabilities, hasKeypad2?.wireByte, matterStatus, productVariant]
        guard homeKitStatus != nil || timezoneID != nil || tail.contains(where: { $0 != nil }) else { return }
        w.write(homeKitStatus ?? 0)
        guard timezoneID != nil || tail.contains(where: { $0 != nil }) else { return }
        w.write((timezoneID ?? .none).rawValue)
        w.writeTrailing(tail)
    }
}
