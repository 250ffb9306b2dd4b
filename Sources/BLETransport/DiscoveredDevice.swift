import NukiProfile
/// A device found by ``DiscoveryScanner``: its record and the advertisement parsed from the AD bytes.
public struct DiscoveredDevice: Hashable, Sendable {
    /// The record as published.
    public var record: DiscoveryRecord
    /// The advertising data octets.
    public var advertisingData: [UInt8]
    /// The scan response octets.
    public var scanResponse: [UInt8]
    /// The Nuki advertisement, or `nil` when the AD bytes are not a Nuki's.
    public var nuki: NukiAdvertisement?

    /// A discovered device.
    public init(record: DiscoveryRecord, advertisingData: [UInt8], scanResponse: [UInt8], nuki: NukiAdvertisement?) {
        self.record = record
        self.advertisingData = advertisingData
        self.scanResponse = scanResponse
        self.nuki = nuki
    }
}
