/// Proleptic Gregorian calendar arithmetic on day counts since 1970-01-01, without Foundation, so
/// time conversions are exact and deterministic on every platform.
///
/// Method: count days in 400-year eras of 146,097 days, with years starting on 1 March so the leap
/// day falls at the end of the year (the usual "civil from days" derivation).
enum CivilCalendar {
    /// Days from 1970-01-01 to the given date (negative before 1970).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01.
    static func date(daysSince1970 days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// ISO weekday of a day count: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    static func isoWeekday(daysSince1970 days: Int64) -> Int {
        let (_, r) = (days + 3).dividedFlooring(by: 7)
        return Int(r) + 1
    }
}
