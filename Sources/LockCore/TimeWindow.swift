import LockWire

/// Whether a ``LockWire/TimeRestriction`` allows an action at an instant.
///
/// Dates (allowed from / until) are compared in UTC, inclusive at both ends with second precision;
/// weekdays and the daily from / until times in the lock's local time (`docs/wire.md` §6 and §13).
/// The daily window is half-open, [from, until): 09:00–12:00 allows 09:00:00 up to 11:59:59. Equal
/// from and until times (00:00–00:00 included) mean the whole day. A window whose until time is
/// earlier than its from time crosses midnight and counts for the weekday on which it starts.
/// A time-limited right fails closed when the lock's clock is unset. On the day the clocks go back,
/// the repeated wall times are not granted twice (`docs/attacks.md` AU-08): on their second pass the
/// window is judged at the last repeated minute, so a boundary inside the repeated hour counts as
/// passed (a window that ended at 02:30 stays ended; one that began at 02:30 stays open).
public enum TimeWindow {
    /// Nil when allowed, else the refusal (K_ERROR_TIME_NOT_ALLOWED 0x27).
    /// - Parameters:
    ///   - now: the lock's current time, or nil when its clock was never set.
    ///   - localOffsetMinutes: local time minus UTC at `now`.
    ///   - repeatedWallTimeEnd: on the second pass of wall times the clocks went back over, the
    ///     minute of the day where they end (``LocalTime/repeatedWallTimeEnd(at:)``), else nil.
    public static func check(
        _ restriction: TimeRestriction, now: LockInstant?, localOffsetMinutes: Int, repeatedWallTimeEnd: Int? = nil
    ) -> LockError? {
        guard restriction.timeLimited else { return nil }
#if BUGBENCH_CLOCK_UNSET_FAILS_OPEN
        guard let now else { return nil }
#else
        guard let now else {
            return LockError(.timeNotAllowed, "time-limited right and the lock's clock is not set")
        }
#endif
        let nowSecond = now.millisecondsSince1970.dividedFlooring(by: 1000).quotient * 1000
        if let from = LockInstant(utc: restriction.allowedFrom), nowSecond < from.millisecondsSince1970 {
            return LockError(.timeNotAllowed, "before the allowed from date \(restriction.allowedFrom)")
        }
        if let until = LockInstant(utc: restriction.allowedUntil), nowSecond > until.millisecondsSince1970 {
            return LockError(.timeNotAllowed, "after the allowed until date \(restriction.allowedUntil)")
        }
        let local = now.adding(milliseconds: Int64(localOffsetMinutes) * 60_000)
        let (seconds, _) = local.millisecondsSince1970.dividedFlooring(by: 1000)
        let (day, secondOfDay) = seconds.dividedFlooring(by: 86_400)
        var minute = Int(secondOfDay / 60)
        if let end = repeatedWallTimeEnd, end > minute { minute = end - 1 }
        let from = restriction.allowedFromTime.minutesSinceMidnight
        let until = restriction.allowedUntilTime.minutesSinceMidnight
        let wholeDay = from == until
        // The weekday the current window started on: yesterday when we are in the after-midnight part.
        let crossesMidnight = until < from
        var windowDay = day
        if !wholeDay {
            let inWindow: Bool
            if crossesMidnight {
                inWindow = minute >= from || minute < until
                if minute < until { windowDay -= 1 }
            } else {
                inWindow = minute >= from && minute < until
            }
            guard inWindow else {
                return LockError(.timeNotAllowed, "outside the daily window \(restriction.allowedFromTime)–\(restriction.allowedUntilTime)")
            }
        }
#if BUGBENCH_WEEKDAY_IGNORED
        // (bugbench WEEKDAY_IGNORED: the check after #else is left out)
#else
        guard restriction.allowedWeekdays.allows(isoWeekday: CivilCalendar.isoWeekday(daysSince1970: windowDay)) else {
            return LockError(.timeNotAllowed, "weekday not in \(restriction.allowedWeekdays)")
        }
#endif
        return nil
    }
}
