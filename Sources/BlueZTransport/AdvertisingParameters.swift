/// The parameters of HCI_LE_Set_Advertising_Parameters (Bluetooth Core 5.4, Vol 4, Part E,
/// §7.8.5), 15 octets:
/// ```
/// Advertising_Interval_Min u16 LE | Advertising_Interval_Max u16 LE | Advertising_Type u8 |
/// Own_Address_Type u8 | Peer_Address_Type u8 | Peer_Address 6 octets | Advertising_Channel_Map u8 |
/// Advertising_Filter_Policy u8
/// ```
/// Intervals count 0.625 ms slots, 0x0020–0x4000 (20 ms–10.24 s). Directed advertising is not
/// offered, so the peer address is always zero.
public struct AdvertisingParameters: Hashable, Sendable {
    /// Advertising_Type values for undirected legacy advertising.
    public enum AdvertisingType: UInt8, Hashable, Sendable {
        /// ADV_IND: connectable and scannable undirected — what a lock does.
        case connectableUndirected = 0x00
        /// ADV_SCAN_IND: scannable, not connectable.
        case scannableUndirected = 0x02
        /// ADV_NONCONN_IND: neither.
        case nonConnectableUndirected = 0x03
    }

    /// The shortest interval, 0x0020 (20 ms).
    public static let minimumInterval: UInt16 = 0x0020
    /// The longest interval, 0x4000 (10.24 s).
    public static let maximumInterval: UInt16 = 0x4000

    /// Advertising_Interval_Min, in 0.625 ms slots.
    public let intervalMin: UInt16
    /// Advertising_Interval_Max, in 0.625 ms slots.
    public let intervalMax: UInt16
    /// Advertising_Type.
    public let type: AdvertisingType
    /// Own_Address_Type: the controller's public address or its random address.
    public let ownAddressType: LEAddressType
    /// Advertising_Channel_Map: bits 0–2 are channels 37, 38, 39.
    public let channelMap: UInt8
    /// Advertising_Filter_Policy, 0x00–0x03 (0: anyone may scan and connect).
    public let filterPolicy: UInt8

    /// Checked parameters: ``BluetoothError/Code/invalidArgument`` when an interval is outside
    /// 0x0020–0x4000 or min > max, the channel map is empty or above 0x07, or the filter policy
    /// above 0x03. Defaults: ADV_IND every 100 ms (160 slots) on all three channels, public address.
    public init(
        intervalMin: UInt16 = 0x00A0, intervalMax: UInt16 = 0x00A0, type: AdvertisingType = .connectableUndirected,
        ownAddressType: LEAddressType = .public, channelMap: UInt8 = 0x07, filterPolicy: UInt8 = 0x00
    ) throws(BluetoothError) {
        let range = Self.minimumInterval...Self.maximumInterval
        guard range.contains(intervalMin), range.contains(intervalMax), intervalMin <= intervalMax else {
            throw BluetoothError(.invalidArgument, "advertising interval \(intervalMin)…\(intervalMax) slots; each must be 32…16384 and min ≤ max")
        }
        guard (0x01...0x07).contains(channelMap) else {
            throw BluetoothError(.invalidArgument, "advertising channel map 0x\(String(channelMap, radix: 16)); needs bits 0–2 only, at least one")
        }
        guard filterPolicy <= 0x03 else {
            throw BluetoothError(.invalidArgument, "advertising filter policy \(filterPolicy) > 3")
        }
        self.intervalMin = intervalMin
        self.intervalMax = intervalMax
        self.type = type
        self.ownAddressType = ownAddressType
        self.channelMap = channelMap
        self.filterPolicy = filterPolicy
    }

    /// The 15 parameter octets.
    public var encoded: [UInt8] {
        [UInt8(truncatingIfNeeded: intervalMin), UInt8(truncatingIfNeeded: intervalMin >> 8),
         UInt8(truncatingIfNeeded: intervalMax), UInt8(truncatingIfNeeded: intervalMax >> 8),
         type.rawValue, ownAddressType.hciValue,
         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
         channelMap, filterPolicy]
    }
}
