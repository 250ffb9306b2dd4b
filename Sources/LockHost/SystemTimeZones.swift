import Foundation
import LockCore
import LockWire

extension TimeZoneRules {
    /// The rules of every timezone id the Nuki API lists (``LockWire/TimeZoneID/documented``), read
    /// from the host's tz database through Foundation's `TimeZone`, each zone when first used: its
    /// offset and DST part from 1970 through 2099 (periods split at every transition
    /// `TimeZone.nextDaylightSavingTimeTransition(after:)` reports; after the last one the last
    /// period goes on). A zone the database does not have gets no rules (the lock then uses
    /// Config's fixed offset for it).
    public static let systemDatabase = TimeZoneRules(
        known: TimeZoneID.documented.map(\.code).filter { $0 != .none }, loader: { periodsFromSystemDatabase(of: $0, untilYear: 2100) })

    /// One zone's periods from the host's tz database, transitions up to 1 January of `untilYear`
    /// (UTC); nil when the database does not know the zone.
    public static func periodsFromSystemDatabase(of id: TimeZoneID, untilYear: Int) -> [Period]? {
        guard let name = TimeZoneID.documented.first(where: { $0.code == id })?.name, let zone = TimeZone(identifier: name) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let end = calendar.date(from: DateComponents(year: untilYear, month: 1, day: 1)) ?? Date.distantFuture
        func period(at date: Date, start: Int64) -> Period {
            Period(
                start: start, offsetSeconds: Int32(clamping: zone.secondsFromGMT(for: date)),
                daylightSeconds: Int32(clamping: Int(zone.daylightSavingTimeOffset(for: date))))
        }
        var date = Date(timeIntervalSince1970: 0)
        var periods = [period(at: date, start: Int64.min)]
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end, next > date {
            date = next
            let candidate = period(at: next, start: Int64((next.timeIntervalSince1970 * 1000).rounded()))
            if let last = periods.last, last.offsetSeconds == candidate.offsetSeconds, last.daylightSeconds == candidate.daylightSeconds { continue }
            periods.append(candidate)
        }
        return periods
    }
}
