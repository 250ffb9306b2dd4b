import BLEATT

/// The Nuki Smart Lock BLE UUIDs (docs/wire.md §1.1, from the Nuki Smart Lock API v2.1/v2.3), all on
/// the base `xxxxxxxx-5501-11e4-916c-0800200c9a66`, plus the Generic Access, Generic Attribute and
/// Device Information Service UUIDs (Bluetooth Assigned Numbers §3.4 GATT Services, §3.8
/// Characteristics).
///
/// On the ATT wire a 128-bit UUID is 16 octets little-endian: `a92ee200-…-0800200c9a66` travels
/// as `66 9A 0C 20 00 08 6C 91 E4 11 01 55 00 E2 2E A9`.
public enum NukiUUIDs {
    /// The low 64 bits shared by every Nuki UUID: `916c-0800200c9a66`.
    public static let baseLow: UInt64 = 0x916C_0800_200C_9A66

    /// A Nuki UUID `xxxxxxxx-5501-11e4-916c-0800200c9a66` from its first 32 bits.
    public static func uuid(_ prefix: UInt32) -> ATTUUID {
        ATTUUID(high: UInt64(prefix) << 32 | 0x5501_11E4, low: baseLow)
    }

    /// Initialization service `a92ee000-…` (advertised only while uninitialized; no characteristics).
    public static let initializationService = uuid(0xA92E_E000)
    /// Pairing service `a92ee100-…` (Smart Lock 1.0 to 4th generation).
    public static let pairingService = uuid(0xA92E_E100)
    /// Pairing GDIO `a92ee101-…`: unencrypted pairing messages; write (long) + indicate.
    public static let pairingGDIO = uuid(0xA92E_E101)
    /// Keyturner service `a92ee200-…` (also the iBeacon proximity UUID).
    public static let keyturnerService = uuid(0xA92E_E200)
    /// Keyturner GDIO `a92ee201-…`.
    public static let keyturnerGDIO = uuid(0xA92E_E201)
    /// Keyturner USDIO `a92ee202-…`: encrypted user-specific messages.
    public static let keyturnerUSDIO = uuid(0xA92E_E202)
    /// Smart Lock Ultra pairing service `a92ee300-…`.
    public static let ultraPairingService = uuid(0xA92E_E300)
    /// Smart Lock Ultra pairing GDIO `a92ee301-…`.
    public static let ultraPairingGDIO = uuid(0xA92E_E301)

    /// Device Information Service 0x180A.
    public static let deviceInformationService = ATTUUID(0x180A)
    /// Serial Number String 0x2A25.
    public static let serialNumber = ATTUUID(0x2A25)
    /// Firmware Revision String 0x2A26.
    public static let firmwareRevision = ATTUUID(0x2A26)
    /// Hardware Revision String 0x2A27.
    public static let hardwareRevision = ATTUUID(0x2A27)

    /// Generic Access service 0x1800 (Bluetooth Core 5.4 Vol 3 Part C §12).
    public static let genericAccessService = ATTUUID(0x1800)
    /// Device Name 0x2A00 (Vol 3 Part C §12.1): the device's name, UTF-8, 0 to 248 octets.
    public static let deviceName = ATTUUID(0x2A00)
    /// Appearance 0x2A01 (Vol 3 Part C §12.2): u16 LE, category (bits 15–6) and subcategory (5–0).
    public static let appearance = ATTUUID(0x2A01)
    /// Generic Attribute service 0x1801 (Vol 3 Part G §7).
    public static let genericAttributeService = ATTUUID(0x1801)
    /// Service Changed 0x2A05 (Vol 3 Part G §7.1): indicate only; value start handle u16 LE, end
    /// handle u16 LE of the attributes that changed.
    public static let serviceChanged = ATTUUID(0x2A05)
}
