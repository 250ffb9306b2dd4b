import LockWire

extension LockMachine {
    /// Add Time Control Entry (0x0039): the entry is enabled and gets the lowest free id in 1…255.
    /// K_ERROR_TOO_MANY_ENTRIES when ``timeControlCapacity`` entries exist (the codec refuses lock
    /// actions outside 0x01–0x06 and invalid times with K_ERROR_BAD_PARAMETER).
    /// Source: Nuki BLE API 2.1 §"Add Time Control Entry", `docs/wire.md` §5.10.
    mutating func addTimeControlEntry(_ schedule: TimeControlSchedule) throws(LockError) -> UInt8 {
        try Self.validate(schedule)
        guard timeControlEntries.count < timeControlCapacity,
            let id = (UInt8(1)...UInt8.max).first(where: { id in !timeControlEntries.contains { $0.entryID == id } })
        else { throw LockError(.tooManyEntries, "all \(timeControlCapacity) time control entries are used") }
        timeControlEntries.append(TimeControlEntry(entryID: id, enabled: true, schedule: schedule))
        return id
    }

    /// Update Time Control Entry (0x003F): rewrites enabled flag and schedule.
    /// K_ERROR_BAD_PARAMETER for an unknown entry id.
    mutating func updateTimeControlEntry(_ entry: TimeControlEntry) throws(LockError) {
        try Self.validate(entry.schedule)
        guard let index = timeControlEntries.firstIndex(where: { $0.entryID == entry.entryID }) else {
            throw LockError(.badParameter, "no time control entry \(entry.entryID)")
        }
        timeControlEntries[index] = entry
    }

    /// Remove Time Control Entry (0x003B); K_ERROR_BAD_PARAMETER for an unknown entry id.
    mutating func removeTimeControlEntry(_ entryID: UInt8) throws(LockError) {
        guard let index = timeControlEntries.firstIndex(where: { $0.entryID == entryID }) else {
            throw LockError(.badParameter, "no time control entry \(entryID)")
        }
        timeControlEntries.remove(at: index)
    }

    static func validate(_ schedule: TimeControlSchedule) throws(LockError) {
        guard schedule.time.isValid, (0x01...0x06).contains(schedule.lockAction.rawValue) else {
            throw LockError(.badParameter, "time control \(schedule.time) \(schedule.lockAction) is not a valid schedule")
        }
        guard schedule.weekdays.rawValue & 0x80 == 0 else { throw LockError(.badParameter, "weekday bit 7 is set") }
    }

    /// The next instant (injected time) after ``timeControlCheckedUntil`` at which enabled entries
    /// fire, and which: at second 0 of their hour:minute in the lock's local time, on an allowed
    /// weekday (empty mask = every day). Nil while the clock is unset or nothing is enabled.
    /// Around a DST change a local minute that does not exist is skipped, one that repeats fires once.
    func nextTimeControlFiring() -> (LockInstant, [UInt8])? {
        guard let checked = timeControlCheckedUntil, let clock = clockOffsetMilliseconds else { return nil }
        let enabled = timeControlEntries.filter(\.enabled)
        guard !enabled.isEmpty else { return nil }
        let lockNow = checked.adding(milliseconds: clock)
        let offsetNow = Int64(localTime.offsetMinutes(at: lockNow)) * 60_000
        let localNow = lockNow.millisecondsSince1970 &+ offsetNow
        let today = localNow.dividedFlooring(by: 86_400_000).quotient
        var best: (LockInstant, [UInt8])?
        for entry in enabled {
            for day in today...(today + 7) {
                guard entry.schedule.weekdays.allows(isoWeekday: CivilCalendar.isoWeekday(daysSince1970: day)) else { continue }
                let local = day &* 86_400_000 &+ Int64(entry.schedule.time.minutesSinceMidnight) * 60_000
                // Local → lock time with the offset in force then (DST-aware), → injected time.
                let guess = LockInstant(millisecondsSince1970: local &- offsetNow)
                let lockTime = LockInstant(millisecondsSince1970: local &- Int64(localTime.offsetMinutes(at: guess)) * 60_000)
                let fire = lockTime.adding(milliseconds: 0 &- clock)
                guard fire > checked else { continue }
                if let current = best {
                    if fire < current.0 { best = (fire, [entry.entryID]) } else if fire == current.0 { best = (fire, current.1 + [entry.entryID]) }
                } else {
                    best = (fire, [entry.entryID])
                }
                break
            }
        }
        return best
    }

    /// Runs the entries due at `now` with trigger automatic (0x03): the scheduled action as is (no
    /// auto unlatch), logged with auth id 0. An entry that finds the motor busy (or the battery
    /// empty) is skipped and reported.
    mutating func fireTimeControl(_ ids: [UInt8], at now: LockInstant) -> [LockOutput] {
        timeControlCheckedUntil = now
        var outputs: [LockOutput] = []
        for id in ids {
            guard let entry = timeControlEntries.first(where: { $0.entryID == id }) else { continue }
            let action = entry.schedule.lockAction
            outputs.append(.event(.timeControlFired(entryID: id, action)))
            if motion != nil {
                outputs.append(.event(.lockActionSkipped(action, trigger: .automatic, status: .busy)))
            } else if let motorFault {
                outputs.append(.event(.lockActionSkipped(action, trigger: .automatic, status: motorFault.completionStatus)))
            } else if batteryMilliPercent == 0 {
                outputs.append(.event(.lockActionSkipped(action, trigger: .automatic, status: .lowMotorVoltage)))
            } else {
                outputs += beginMotion(action, trigger: .automatic, requester: nil, command: .lockAction, logKind: .lockAction(flags: 0), at: now)
            }
        }
        return outputs
    }
}
