import BLEATT

/// The attribute types GATT itself defines (Bluetooth Core 5.4, Vol 3, Part G, §3.1–§3.3, Table
/// 3.1–3.5; values from the Assigned Numbers document), as 16-bit ``ATTUUID``s.
///
/// On the ATT wire each is 2 octets little-endian: `0x2800` travels as `00 28`.
public enum GATTAttributeType {
    /// «Primary Service» declaration (§3.1): value = the service UUID, 2 or 16 octets LE.
    public static let primaryService = ATTUUID(0x2800)
    /// «Secondary Service» declaration (§3.1).
    public static let secondaryService = ATTUUID(0x2801)
    /// «Include» declaration (§3.2).
    public static let include = ATTUUID(0x2802)
    /// «Characteristic» declaration (§3.3.1): value = `properties u8 | value handle u16 LE | UUID
    /// (2 or 16 octets LE)`.
    public static let characteristic = ATTUUID(0x2803)
    /// «Characteristic Extended Properties» descriptor (§3.3.3.1).
    public static let characteristicExtendedProperties = ATTUUID(0x2900)
    /// «Client Characteristic Configuration» descriptor, the CCCD (§3.3.3.3): value = `u16 LE`,
    /// bit 0 notifications, bit 1 indications.
    public static let clientCharacteristicConfiguration = ATTUUID(0x2902)
}
