import ArgumentParser
import LockWire

/// The time restriction of an authorization or keypad code, from the command line: fixed (no
/// option), dated (`--from`/`--until`, UTC) and weekly (`--weekdays`, `--window` in the lock's local
/// time), combinable. Encoded as the 20-byte time restriction of Nuki BLE API 2.1 §"Authorization
/// Entry"/§"Add Keypad Code" (`docs/wire.md` §6): time limited, allowed from/until date, weekdays
/// (bit 6 Monday … bit 0 Sunday), daily from/until time. Malformed values are usage errors (exit 64).
struct RestrictionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "First day of the right, in UTC: YYYY-MM-DD (from 00:00:00) or YYYY-MM-DDTHH:MM:SS[Z].", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp(
        "Last day of the right, in UTC, inclusive: YYYY-MM-DD (until 23:59:59) or YYYY-MM-DDTHH:MM:SS[Z].", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("Allowed weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun.", valueName: "days"))
    var weekdays: String?

    @Option(help: ArgumentHelp(
        "Daily window in the lock's local time, HH:MM-HH:MM, end excluded (an end before the start crosses midnight).",
        valueName: "HH:MM-HH:MM"))
    var window: String?

    func validate() throws { _ = try restriction() }

    /// Whether any restriction option was given.
    var isGiven: Bool { from != nil || until != nil || weekdays != nil || window != nil }

    /// The restriction the options describe; ``LockWire/TimeRestriction/unrestricted`` when none is
    /// given. Throws a usage error naming the bad option and value.
    func restriction() throws -> TimeRestriction {
        guard isGiven else { return .unrestricted }
        let start = try from.map { try Self.date($0, option: "--from", endOfDay: false) } ?? .unset
        let end = try until.map { try Self.date($0, option: "--until", endOfDay: true) } ?? .unset
        if !start.isUnset, !end.isUnset, end < start { throw ValidationError("--from \(from ?? "") is after --until \(until ?? "")") }
        let days = try weekdays.map(Self.weekdays) ?? []
        let (open, close) = try window.map(Self.window) ?? (.midnight, .midnight)
        return TimeRestriction(
            timeLimited: true, allowedFrom: start, allowedUntil: end, allowedWeekdays: days, allowedFromTime: open, allowedUntilTime: close)
    }

    /// `YYYY-MM-DD` (the day's first or last second) or `YYYY-MM-DDTHH:MM:SS` with an optional `Z`.
    static func date(_ text: String, option: String, endOfDay: Bool) throws -> DateTime {
        var value = text
        if value.hasSuffix("Z") { value.removeLast() }
        if !value.contains("T") { value += endOfDay ? "T23:59:59" : "T00:00:00" }
        guard let parsed = DateTime(iso8601: value), (2000...2255).contains(parsed.year) else {
            throw ValidationError("\(option) is a UTC date YYYY-MM-DD or time YYYY-MM-DDTHH:MM:SSZ (years 2000–2255), not \(text)")
        }
        return parsed
    }

    /// The weekday names, three letters or in full, case-insensitive.
    static let dayNames: [(String, String, Weekdays)] = [
        ("mon", "monday", .monday), ("tue", "tuesday", .tuesday), ("wed", "wednesday", .wednesday),
        ("thu", "thursday", .thursday), ("fri", "friday", .friday), ("sat", "saturday", .saturday), ("sun", "sunday", .sunday),
    ]

    /// `mon,tue,…` as a weekday mask.
    static func weekdays(_ text: String) throws -> Weekdays {
        var days: Weekdays = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.lowercased()
            guard let day = dayNames.first(where: { $0.0 == name || $0.1 == name }) else {
                throw ValidationError("--weekdays: '\(part)' is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
            }
            days.insert(day.2)
        }
        return days
    }

    /// `HH:MM-HH:MM`, hours 00–23, minutes 00–59.
    static func window(_ text: String) throws -> (TimeOfDay, TimeOfDay) {
        let halves = text.split(separator: "-", omittingEmptySubsequences: false)
        guard halves.count == 2, let open = time(halves[0]), let close = time(halves[1]) else {
            throw ValidationError("--window is HH:MM-HH:MM with times 00:00–23:59, not \(text)")
        }
        return (open, close)
    }

    private static func time(_ text: Substring) -> TimeOfDay? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hour = UInt8(parts[0]), let minute = UInt8(parts[1])
        else { return nil }
        let value = TimeOfDay(hour: hour, minute: minute)
        return value.isValid ? value : nil
    }

    /// A restriction in words: `always`, or its parts, e.g. `Mon 09:00–12:00` or
    /// `from 2026-12-01T00:00:00Z until 2026-12-31T23:59:59Z`.
    static func describe(_ restriction: TimeRestriction) -> String {
        guard restriction.timeLimited else { return "always" }
        var parts: [String] = []
        if !restriction.allowedFrom.isUnset { parts.append("from \(restriction.allowedFrom)Z") }
        if !restriction.allowedUntil.isUnset { parts.append("until \(restriction.allowedUntil)Z") }
        if !restriction.allowedWeekdays.isEmpty { parts.append(dayList(restriction.allowedWeekdays).joined(separator: ",")) }
        if restriction.allowedFromTime != restriction.allowedUntilTime {
            parts.append("\(restriction.allowedFromTime)–\(restriction.allowedUntilTime)")
        }
        return parts.isEmpty ? "time limited (every day)" : parts.joined(separator: " ")
    }

    /// The days of `mask` as three-letter names, Monday first.
    static func dayList(_ mask: Weekdays) -> [String] {
        dayNames.filter { mask.contains($0.2) }.map { $0.0 }
    }

    /// The JSON form of a restriction.
    static func json(_ restriction: TimeRestriction) -> PhoneValue {
        .object([
            "timeLimited": .bool(restriction.timeLimited),
            "from": .string(restriction.allowedFrom.isUnset ? "" : "\(restriction.allowedFrom)Z"),
            "until": .string(restriction.allowedUntil.isUnset ? "" : "\(restriction.allowedUntil)Z"),
            "weekdays": .strings(dayList(restriction.allowedWeekdays)),
            "window": .string("\(restriction.allowedFromTime)-\(restriction.allowedUntilTime)"),
        ])
    }
}
