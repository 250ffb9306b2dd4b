import LockWire

/// The user settings of Config (0x0015) that Set Config (0x0013) writes.
///
/// Source: Nuki BLE API 2.1 §"Config" and §"Set Config", `docs/wire.md` §5.8.
public struct LockSettings: Hashable, Sendable, Codable {
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
    public var fobActions: [FobAction]
    public var singleLock: Bool
    public var advertisingMode: AdvertisingMode
    public var timezoneID: TimeZoneID

    public init(
        name: FixedName, latitude: Float = 0, longitude: Float = 0, autoUnlatch: Bool = false,
        pairingEnabled: Bool = true, buttonEnabled: Bool = true, ledEnabled: Bool = true, ledBrightness: UInt8 = 3,
        timezoneOffsetMinutes: Int16 = 0, dstMode: DSTMode = .european,
        fobActions: [FobAction] = [.unlock, .lock, .lockNGo], singleLock: Bool = false,
        advertisingMode: AdvertisingMode = .automatic, timezoneID: TimeZoneID = .none
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
        self.fobActions = fobActions
        self.singleLock = singleLock
        self.advertisingMode = advertisingMode
        self.timezoneID = timezoneID
    }

    /// The Config fob action for 0x81…0x83; `.none` for anything else.
    func fobAction(for action: LockAction) -> FobAction {
        let index = Int(action.rawValue) - 0x81
        return fobActions.indices.contains(index) ? fobActions[index] : .none
    }
}
