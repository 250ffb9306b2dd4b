/// Set Config (0x0013), client → lock, encrypted, PIN-protected (89 bytes):
///
/// | size | field |
/// |---|---|
/// | 32 | name |
/// | 4 + 4 | latitude, longitude (float32 LE) |
/// | 1 × 4 | auto unlatch, pairing enabled, button enabled, LED enabled |
/// | 1 | LED brightness 0–5 |
/// | 2 | timezone offset, s16 minutes |
/// | 1 | DST mode |
/// | 1 × 3 | fob action 1, 2, 3 |
/// | 1 | single lock |
/// | 1 | advertising mode |
/// | 2 | timezone id (u16 LE) |
/// | 32 | challenge nonce |
/// | 2/4 | security PIN |
///
/// Throws `badParameter` for LED brightness > 5, undocumented DST, fob action, advertising mode or
/// timezone id, and non-finite coordinates.
/// Source: Nuki BLE API 2.1 §"Set Config", `docs/wire.md` §5.8.
public struct SetConfig: PINProtectedPayload {
    public static let command = Command.setConfig

    public var name: FixedName
    public var latitude: Float
    public var longitude: Float
    public var autoUnlatch: Bool
    public var pairingEnabled: Bool
    public var buttonEnabled: Bool
    public var ledEnabled: Bool
    public var ledBrightness: UInt8
    public var timezoneOffsetMinutes: Int16
    public var dstMode: DSTMode
    public var fobAction1: FobAction
    public var fobAction2: FobAction
    public var fobAction3: FobAction
    public var singleLock: Bool
    public var advertisingMode: AdvertisingMode
    public var timezoneID: TimeZoneID
    public var challenge: Bytes32
    public var securityPIN: SecurityPIN

    public init(
        name: FixedName, latitude: Float, longitude: Float, autoUnlatch: Bool, pairingEnabled: Bool,
        buttonEnabled: Bool, ledEnabled: Bool, ledBrightness: UInt8, timezoneOffsetMinutes: Int16,
        dstMode: DSTMode, fobAction1: FobAction, fobAction2: FobAction, fobAction3: FobAction,
        singleLock: Bool, advertisingMode: AdvertisingMode, timezoneID: TimeZoneID, challenge: Bytes32,
        securityPIN: SecurityPIN
    ) {
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.autoUnlatch = autoUnlatch
        self.pairingEnabled = pairingEnabled
        self.buttonEnabled = buttonEnabled
        self.ledEnabled = ledEnabled
        self.ledBrightness = ledBrightness
        self.timezoneOffsetMinutes = timezoneOffsetMinutes
        self.dstMode = dstMode
        self.fobAction1 = fobAction1
        self.fobAction2 = fobAction2
        self.fobAction3 = fobAction3
        self.singleLock = singleLock
        self.advertisingMode = advertisingMode
        self.timezoneID = timezoneID
        self.challenge = challenge
        self.securityPIN = securityPIN
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        name = try r.readName(width: FixedName.nameWidth, "name")
        latitude = try r.readCoordinate("latitude")
        longitude = try r.readCoordinate("longitude")
        autoUnlatch = try r.readBool("auto unlatch")
        pairingEnabled = try r.readBool("pairing enabled")
        buttonEnabled = try r.readBool("button enabled")
        ledEnabled = try r.readBool("LED enabled")
        ledBrightness = try r.readUInt8("LED brightness")
        guard ledBrightness <= 5 else {
            throw WireError(.badParameter, "\(r.context): LED brightness \(ledBrightness) exceeds 5")
        }
        timezoneOffsetMinutes = try r.readInt16("timezone offset")
        dstMode = try r.readDocumented("DST mode")
        fobAction1 = try r.readDocumented("fob action 1")
        fobAction2 = try r.readDocumented("fob action 2")
        fobAction3 = try r.readDocumented("fob action 3")
        singleLock = try r.readBool("single lock")
        advertisingMode = try r.readDocumented("advertising mode")
        timezoneID = TimeZoneID(rawValue: try r.readUInt16("timezone id"))
        guard timezoneID.isDocumented else {
            throw WireError(.badParameter, "\(r.context): timezone id \(timezoneID.rawValue) is not documented")
        }
        (challenge, securityPIN) = try r.readChallengeAndPIN(context)
    }

    public func encode(to w: inout WireWriter) {
        w.write(name)
        w.write(latitude)
        w.write(longitude)
        w.write(autoUnlatch)
        w.write(pairingEnabled)
        w.write(buttonEnabled)
        w.write(ledEnabled)
        w.write(ledBrightness)
        w.write(timezoneOffsetMinutes)
        w.write(dstMode)
        w.write(fobAction1)
        w.write(fobAction2)
        w.write(fobAction3)
        w.write(singleLock)
        w.write(advertisingMode)
        w.write(timezoneID)
        w.write(challenge)
        w.write(securityPIN)
    }
}
