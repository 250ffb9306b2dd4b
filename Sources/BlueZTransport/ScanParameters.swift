/// The parameters of HCI_LE_Set_Scan_Parameters (Bluetooth Core 5.4, Vol 4, Part E, §7.8.10),
/// 7 octets:
/// ```
/// LE_Scan_Type u8 | LE_Scan_Interval u16 LE | LE_Scan_Window u16 LE | Own_Address_Type u8 |
/// Scanning_Filter_Policy u8
/// ```
/// Interval and window count 0.625 ms slots, 0x0004–0x4000, window ≤ interval.
public struct ScanParameters: Hashable, Sendable {
    /// The shortest interval or window, 0x0004 (2.5 ms).
    public static let minimumSlots: UInt16 = 0x0004
    /// The longest, 0x4000 (10.24 s).
    public static let maximumSlots: UInt16 = 0x4000

    /// Active scanning sends SCAN_REQ and so also gets scan responses (the Nuki name).
    public let active: Bool
    /// LE_Scan_Interval, in 0.625 ms slots.
    public let interval: UInt16
    /// LE_Scan_Window, in 0.625 ms slots.
    public let window: UInt16
    /// Own_Address_Type for scan requests.
    public let ownAddressType: LEAddressType
    /// Scanning_Filter_Policy, 0x00–0x03 (0: accept all advertisements).
    public let filterPolicy: UInt8

    /// Checked parameters: ``BluetoothError/Code/invalidArgument`` when interval or window is
    /// outside 0x0004–0x4000, window > interval, or the policy above 0x03. Defaults: active,
    /// 10 ms window every 10 ms (continuous), public address.
    public init(
        active: Bool = true, interval: UInt16 = 0x0010, window: UInt16 = 0x0010,
        ownAddressType: LEAddressType = .public, filterPolicy: UInt8 = 0x00
    ) throws(BluetoothError) {
        let range = Self.minimumSlots...Self.maximumSlots
        guard range.contains(interval), range.contains(window), window <= interval else {
            throw BluetoothError(.invalidArgument, "scan interval \(interval), window \(window) slots; each must be 4…16384 and window ≤ interval")
        }
        guard filterPolicy <= 0x03 else {
            throw BluetoothError(.invalidArgument, "scanning filter policy \(filterPolicy) > 3")
        }
        self.active = active
        self.interval = interval
        self.window = window
        self.ownAddressType = ownAddressType
        self.filterPolicy = filterPolicy
    }

    /// The 7 parameter octets.
    public var encoded: [UInt8] {
        [active ? 0x01 : 0x00,
         UInt8(truncatingIfNeeded: interval), UInt8(truncatingIfNeeded: interval >> 8),
         UInt8(truncatingIfNeeded: window), UInt8(truncatingIfNeeded: window >> 8),
         ownAddressType.hciValue, filterPolicy]
    }
}
