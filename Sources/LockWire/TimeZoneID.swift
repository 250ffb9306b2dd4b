/// A timezone id (u16) of Config and Set Config; 0xFFFF means none. ``name`` is the tz database
/// id, so the lock core can evaluate time windows in local time with the platform's tz database.
///
/// Source: Nuki BLE API 2.1 §"Timezone IDs", `docs/wire.md` §5.8.
public struct TimeZoneID: WireCode, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// No timezone set (0xFFFF).
    public static let none = Self(rawValue: 0xFFFF)

    /// Ids 0–45 with their tz database names, then `none`.
    public static let documented: [(code: Self, name: String)] = [
        (Self(rawValue: 0), "Africa/Cairo"),
        (Self(rawValue: 1), "Africa/Lagos"),
        (Self(rawValue: 2), "Africa/Maputo"),
        (Self(rawValue: 3), "Africa/Nairobi"),
        (Self(rawValue: 4), "America/Anchorage"),
        (Self(rawValue: 5), "America/Argentina/Buenos_Aires"),
        (Self(rawValue: 6), "America/Chicago"),
        (Self(rawValue: 7), "America/Denver"),
        (Self(rawValue: 8), "America/Halifax"),
        (Self(rawValue: 9), "America/Los_Angeles"),
        (Self(rawValue: 10), "America/Manaus"),
        (Self(rawValue: 11), "America/Mexico_City"),
        (Self(rawValue: 12), "America/New_York"),
        (Self(rawValue: 13), "America/Phoenix"),
        (Self(rawValue: 14), "America/Regina"),
        (Self(rawValue: 15), "America/Santiago"),
        (Self(rawValue: 16), "America/Sao_Paulo"),
        (Self(rawValue: 17), "America/St_Johns"),
        (Self(rawValue: 18), "Asia/Bangkok"),
        (Self(rawValue: 19), "Asia/Dubai"),
        (Self(rawValue: 20), "Asia/Hong_Kong"),
        (Self(rawValue: 21), "Asia/Jerusalem"),
        (Self(rawValue: 22), "Asia/Karachi"),
        (Self(rawValue: 23), "Asia/Kathmandu"),
        (Self(rawValue: 24), "Asia/Kolkata"),
        (Self(rawValue: 25), "Asia/Riyadh"),
        (Self(rawValue: 26), "Asia/Seoul"),
        (Self(rawValue: 27), "Asia/Shanghai"),
        (Self(rawValue: 28), "Asia/Tehran"),
        (Self(rawValue: 29), "Asia/Tokyo"),
        (Self(rawValue: 30), "Asia/Yangon"),
        (Self(rawValue: 31), "Australia/Adelaide"),
        (Self(rawValue: 32), "Australia/Brisbane"),
        (Self(rawValue: 33), "Australia/Darwin"),
        (Self(rawValue: 34), "Australia/Hobart"),
        (Self(rawValue: 35), "Australia/Perth"),
        (Self(rawValue: 36), "Australia/Sydney"),
        (Self(rawValue: 37), "Europe/Berlin"),
        (Self(rawValue: 38), "Europe/Helsinki"),
        (Self(rawValue: 39), "Europe/Istanbul"),
        (Self(rawValue: 40), "Europe/London"),
        (Self(rawValue: 41), "Europe/Moscow"),
        (Self(rawValue: 42), "Pacific/Auckland"),
        (Self(rawValue: 43), "Pacific/Guam"),
        (Self(rawValue: 44), "Pacific/Honolulu"),
        (Self(rawValue: 45), "Pacific/Pago_Pago"),
        (.none, "none"),
    ]

    /// The id whose tz database name is `name`, if the API lists it.
    public init?(tzName: String) {
        guard let entry = Self.documented.first(where: { $0.name == tzName }) else { return nil }
        self = entry.code
    }
}
