import BLETransport

/// What ``HCIScanner/scan(for:)`` saw: one ``ScannedDevice`` per address in order of first
/// sighting, and how many malformed advertising report events were skipped.
public struct ScanResult: Hashable, Sendable {
    /// The devices, in order of first sighting.
    public private(set) var devices: [ScannedDevice] = []
    /// Malformed LE Advertising Report events skipped.
    public var malformedEvents = 0

    /// An empty result.
    public init() {}

    /// Adds a report: a new device, or merged into the one with its address.
    public mutating func add(_ report: AdvertisingReport) {
        if let index = devices.firstIndex(where: { $0.address == report.address }) {
            devices[index].merge(report)
        } else {
            devices.append(ScannedDevice(report))
        }
    }

    /// The device at `address`, if seen.
    public func device(_ address: DeviceAddress) -> ScannedDevice? {
        devices.first { $0.address == address }
    }
}
