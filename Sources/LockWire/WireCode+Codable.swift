// Every vocabulary code encodes as its raw number, so undocumented values round-trip.

extension WireCode where Self: Codable, RawValue: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(RawValue.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension Command: Codable {}
extension NukiErrorCode: Codable {}
extension NukiState: Codable {}
extension LockState: Codable {}
extension LockAction: Codable {}
extension Trigger: Codable {}
extension IDType: Codable {}
extension StatusCode: Codable {}
extension CompletionStatus: Codable {}
extension LogEntryType: Codable {}
extension DoorSensorState: Codable {}
extension KeypadActionSource: Codable {}
extension KeypadLockAction: Codable {}
extension FobAction: Codable {}
extension ButtonPressAction: Codable {}
extension BatteryType: Codable {}
extension AdvertisingMode: Codable {}
extension DSTMode: Codable {}
extension TimeZoneID: Codable {}
