import LockCore
import LockWire
import Testing

/// Keypad codes, Keypad Action, the lockout tiers and the log (docs/wire.md §7, §8).
@Suite struct KeypadTests {
    static let t0 = LockInstant(secondsSince1970: 1_772_442_000)  // 2026-03-02T09:00:00Z, a Monday
    static let app: UInt32 = 1
    static let keypad: UInt32 = 2
    static let pin = SecurityPIN.u16(4321)

    static func machine() throws -> LockMachine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var m = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: pin)
        try m.setClock(to: t0.utcDateTime, at: t0)
        m.restoreAuthorization(Authorization(authID: app, idType: .app, clientID: 1, name: FixedName("Phone", width: 32), dateCreated: .unset))
        m.restoreAuthorization(Authorization(authID: keypad, idType: .keypad, clientID: 2, name: FixedName("Keypad", width: 32), dateCreated: .unset))
        return m
    }

    static func add(_ m: inout LockMachine, _ code: UInt32, restriction: TimeRestriction = .unrestricted) throws(LockError) -> [LockOutput] {
        try m.handle(.addKeypadCode(AddKeypadCode(code: code, name: FixedName("c\(code)", width: 20), restriction: restriction, challenge: .zero, securityPIN: pin)), from: app, at: t0)
    }

    static func enter(_ m: inout LockMachine, _ code: UInt32, at now: LockInstant, action: KeypadLockAction = .unlock) -> NukiErrorCode? {
        do {
            _ = try m.handle(.keypadAction(KeypadActionRequest(source: .code, code: code, action: action, challenge: .zero)), from: keypad, at: now)
            return nil
        } catch {
            return error.code
        }
    }

    static func error(_ body: () throws(LockError) -> [LockOutput]) -> NukiErrorCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test(arguments: [
        (UInt32(123_456), false), (456_789, true), (999_999, true), (111_111, true), (45_678, false), (1_456_789, false),
        (406_789, false), (129_999, false), (213_456, true),
    ])
    func codeFormat(code: UInt32, valid: Bool) {
        #expect(KeypadCode.isValidFormat(code) == valid)
    }

    @Test func addListUpdateRemove() throws {
        var m = try Self.machine()
        let added = try Self.add(&m, 456_789)
        #expect(added == [.reply(authID: Self.app, .keypadCodeID(KeypadCodeID(codeID: 1, dateCreated: Self.t0.utcDateTime)))])
        #expect(Self.error { () throws(LockError) in try Self.add(&m, 456_789) } == .codeAlreadyExists)
        #expect(Self.error { () throws(LockError) in try Self.add(&m, 123_456) } == .badParameter)
        let listed = try m.handle(.requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 10, challenge: .zero, securityPIN: Self.pin)), from: Self.app, at: Self.t0)
        #expect(listed.count == 3)
        #expect(listed.first == .reply(authID: Self.app, .keypadCodeCount(KeypadCodeCount(count: 1))))
        _ = try m.handle(.removeKeypadCode(RemoveKeypadCode(codeID: 1, challenge: .zero, securityPIN: Self.pin)), from: Self.app, at: Self.t0)
        #expect(m.keypadCodes.codes.isEmpty)
        #expect(Self.error { () throws(LockError) in
            try m.handle(.removeKeypadCode(RemoveKeypadCode(codeID: 1, challenge: .zero, securityPIN: Self.pin)), from: Self.app, at: Self.t0)
        } == .badParameter)
    }

    @Test func tableFullIsTooManyEntriesWithoutEviction() throws {
        var m = try Self.machine()
        var added = 0
        for code in UInt32(211_111)...UInt32(999_999) where KeypadCode.isValidFormat(code) && added < 100 {
            _ = try Self.add(&m, code)
            added += 1
        }
        #expect(Self.error { () throws(LockError) in try Self.add(&m, 987_654) } == .tooManyEntries)
        #expect(m.keypadCodes.codes.count == 100)
    }

    @Test func rightCodeUnlocksAndIsLogged() throws {
        var m = try Self.machine()
        _ = try Self.add(&m, 456_789)
        #expect(Self.enter(&m, 456_789, at: Self.t0) == nil)
        #expect(m.lockState == .unlocked)
        #expect(m.keypadCodes.codes.first?.lockCount == 1)
        guard case .keypadAction(let log) = m.log.entries.last?.event else {
            Issue.record("no keypad log entry")
            return
        }
        #expect(log.codeID == 1 && log.completionStatus == .success && log.action == .unlock)
    }

    /// After the first 30 min of the third tier, every further 5 wrong codes double it, up to 24 h.
    @Test func thirdTierDoublesUpToADay() throws {
        #expect((1...11).map { KeypadLockout.lockoutMilliseconds(afterFailures: $0 * 5) } == [
            30_000, 300_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 57_600_000, 86_400_000, 86_400_000, 86_400_000,
        ])
        #expect(KeypadLockout.lockoutMilliseconds(afterFailures: 7) == 0)
        #expect(KeypadLockout.lockoutMilliseconds(afterFailures: 5_000_000) == KeypadLockout.maximumLockoutMilliseconds)
        var m = try Self.machine()
        _ = try Self.add(&m, 456_789)
        var now = Self.t0
        for step in 1...4 {
            for _ in 0..<4 { #expect(Self.enter(&m, 999_999, at: now) == .codeInvalid) }
            _ = Self.enter(&m, 999_999, at: now)
            now = now.adding(milliseconds: KeypadLockout.lockoutMilliseconds(afterFailures: step * 5))
        }
        // 20 wrong codes: the fourth lockout is 1 h, still reported as the third tier.
        #expect(m.keypadLockout.active(at: now.adding(milliseconds: -1))?.code == .codeInvalidTimeout3)
        #expect(Self.enter(&m, 456_789, at: now.adding(milliseconds: -1)) == .codeInvalidTimeout3)
        #expect(Self.enter(&m, 456_789, at: now) == nil)
    }

    @Test func lockoutTiersEscalateAndHoldAgainstTheRightCode() throws {
        var m = try Self.machine()
        _ = try Self.add(&m, 456_789)
        var now = Self.t0
        for _ in 0..<4 { #expect(Self.enter(&m, 999_999, at: now) == .codeInvalid) }
        #expect(Self.enter(&m, 999_999, at: now) == .codeInvalidTimeout1)
        #expect(Self.enter(&m, 456_789, at: now.adding(milliseconds: 29_999)) == .codeInvalidTimeout1, "right code refused in lockout")
        now = now.adding(milliseconds: 30_000)
        for _ in 0..<4 { #expect(Self.enter(&m, 999_999, at: now) == .codeInvalid) }
        #expect(Self.enter(&m, 999_999, at: now) == .codeInvalidTimeout2)
        #expect(Self.enter(&m, 456_789, at: now.adding(milliseconds: 299_999)) == .codeInvalidTimeout2)
        now = now.adding(milliseconds: 300_000)
        for _ in 0..<4 { #expect(Self.enter(&m, 999_999, at: now) == .codeInvalid) }
        #expect(Self.enter(&m, 999_999, at: now) == .codeInvalidTimeout3)
        now = now.adding(milliseconds: 1_800_000)
        #expect(Self.enter(&m, 456_789, at: now) == nil)
        #expect(m.keypadLockout.consecutiveFailures == 0)
        let invalid = m.log.entries.filter {
            if case .keypadAction(let l) = $0.event { return l.completionStatus == .invalidCode }
            return false
        }
        #expect(invalid.count == 15)
    }

    /// PIN-03 budget: at the fastest rate the tiers allow, trying every valid code against one stored
    /// code takes on average more than a year of virtual time.
    @Test func bruteForceBudgetExceedsAYear() throws {
        var m = try Self.machine()
        _ = try Self.add(&m, 999_999)
        var now = Self.t0
        var tries = 0
        // Measure the sustained rate over 1,000 wrong tries, waiting out each lockout exactly.
        while tries < 1_000 {
            let code = Self.enter(&m, 211_111, at: now)
            tries += 1
            if let lockout = m.keypadLockout.active(at: now) { now = now.adding(milliseconds: lockout.remainingMilliseconds) }
            #expect(code != nil)
        }
        let secondsPerTry = Double(now.milliseconds(since: Self.t0)) / 1000 / Double(tries)
        let expectedSeconds = secondsPerTry * 524_880 / 2
        #expect(expectedSeconds > 365 * 86_400, "expected \(expectedSeconds / 86_400) days")
    }

    @Test func timeWindowAndDisabledCodesAreRefused() throws {
        var m = try Self.machine()
        var window = TimeRestriction.unrestricted
        window.timeLimited = true
        window.allowedWeekdays = [.monday]
        window.allowedFromTime = TimeOfDay(hour: 9, minute: 0)
        window.allowedUntilTime = TimeOfDay(hour: 12, minute: 0)
        _ = try Self.add(&m, 456_789, restriction: window)
        #expect(Self.enter(&m, 456_789, at: Self.t0.adding(milliseconds: 3 * 3_600_000)) == .timeNotAllowed)
        #expect(Self.enter(&m, 456_789, at: Self.t0.adding(milliseconds: 86_400_000)) == .timeNotAllowed)
        #expect(Self.enter(&m, 456_789, at: Self.t0) == nil)
        _ = try m.handle(.updateKeypadCode(UpdateKeypadCode(codeID: 1, code: 456_789, name: FixedName("c", width: 20), enabled: false, restriction: .unrestricted, challenge: .zero, securityPIN: Self.pin)), from: Self.app, at: Self.t0)
        #expect(Self.enter(&m, 456_789, at: Self.t0) == .disabled)
    }

    @Test func logPagesBySortOrderWithTotalCount() throws {
        var m = try Self.machine()
        _ = try Self.add(&m, 456_789)
        for i in 0..<3 { _ = Self.enter(&m, 456_789, at: Self.t0.adding(milliseconds: Int64(i) * 1000), action: .intelligent) }
        let request = RequestLogEntries(startIndex: 0, count: 2, descending: true, totalCount: true, challenge: .zero, securityPIN: Self.pin)
        let out = try m.handle(.requestLogEntries(request), from: Self.app, at: Self.t0)
        #expect(out.first == .reply(authID: Self.app, .logEntryCount(LogEntryCount(loggingEnabled: true, count: 3, doorSensorEnabled: false, doorSensorLoggingEnabled: false))))
        let indices = out.compactMap { output -> UInt32? in
            if case .reply(_, .logEntry(let e)) = output { return e.index }
            return nil
        }
        #expect(indices == [3, 2])
        #expect(out.last == .reply(authID: Self.app, .status(Status(.complete))))
        #expect(m.log.page(startIndex: 1, count: 65_535, descending: false).map(\.index) == [2, 3])
    }

    @Test func keypadMayNotManageCodes() throws {
        var m = try Self.machine()
        #expect(Self.error { () throws(LockError) in
            try m.handle(.addKeypadCode(AddKeypadCode(code: 456_789, name: FixedName("x", width: 20), restriction: .unrestricted, challenge: .zero, securityPIN: Self.pin)), from: Self.keypad, at: Self.t0)
        } == .notAuthorized)
    }
}
