import BLETransport
import NukiProfile

/// One advertiser seen while scanning: its address, the latest advertising data and scan response
/// (from ADV_* and SCAN_RSP reports, Bluetooth Core 5.4, Vol 4, Part E, §7.7.65.2), and RSSI.
public struct ScannedDevice: Hashable, Sendable {
    /// The advertiser's address.
    public var address: DeviceAddress
    /// Address_Type as reported (0x00 public, 0x01 random, 0x02/0x03 identity forms).
    public var addressTypeValue: UInt8
    /// The latest advertising data.
    public var advertisingData: [UInt8]
    /// The latest scan response data (empty until one arrives; needs active scanning).
    public var scanResponse: [UInt8]
    /// The latest RSSI, when the controller reported one.
    public var rssi: Int8?
    /// Whether the advertising PDU was connectable (ADV_IND or ADV_DIRECT_IND).
    public var connectable: Bool

    /// A device first seen in `report`.
    public init(_ report: AdvertisingReport) {
        address = report.address
        addressTypeValue = report.addressTypeValue
        advertisingData = []
        scanResponse = []
        rssi = nil
        connectable = false
        merge(report)
    }

    /// Folds in a later report of the same device.
    public mutating func merge(_ report: AdvertisingReport) {
        if report.eventType == .scanResponse {
            scanResponse = report.data
        } else {
            advertisingData = report.data
            addressTypeValue = report.addressTypeValue
            connectable = report.eventType == .connectableUndirected || report.eventType == .connectableDirected
        }
        if let value = report.rssi { rssi = value }
    }

    /// ``addressTypeValue`` as public or random.
    public var addressType: LEAddressType? { LEAddressType(hciValue: addressTypeValue) }

    /// The Nuki advertisement these bytes carry, if they are one (docs/wire.md §1.3).
    public var nukiAdvertisement: NukiAdvertisement? {
        try? NukiAdvertisement(advertisingData: advertisingData, scanResponse: scanResponse)
    }
}
