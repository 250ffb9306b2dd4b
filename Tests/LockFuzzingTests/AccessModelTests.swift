import Foundation
@testable import LockFuzzing
import LockCore
import LockWire
import Testing

/// The reference model of the stateful targets (``AccessModel``): its rules on their own, and its
/// verdicts on the seeds of its operations against the honest lock.
@Suite struct AccessModelTests {
    static let app: UInt32 = 1, keypad: UInt32 = 2, fob: UInt32 = 3
    /// 2025-11-30T08:00:00Z, a Sunday (the session fixture's start).
    static let sunday = SessionFixture.start

    static func model() -> AccessModel {
        AccessModel(
            clients: [app: .init(kind: .app), keypad: .init(kind: .keypad), fob: .init(kind: .fob)],
            codes: [1: .init(code: 246_813)], pin: SecurityPIN.u16(4321).bytes, clockOffsetMilliseconds: 0)
    }

    static func frame(_ authID: UInt32, _ message: NukiMessage) -> AccessModel.Frame {
        AccessModel.Frame(clearAuthID: authID, keyOf: authID, innerAuthID: authID, command: message.command, message: message)
    }

    static func window(_ days: Weekdays, _ from: TimeOfDay, _ until: TimeOfDay) -> TimeRestriction {
        TimeRestriction(timeLimited: true, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: days, allowedFromTime: from, allowedUntilTime: until)
    }

    static func at(_ y: UInt16, _ mo: UInt8, _ d: UInt8, _ h: UInt8, _ mi: UInt8, _ s: UInt8 = 0) -> LockInstant {
        LockInstant(utc: DateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)) ?? .init(millisecondsSince1970: 0)
    }

    /// Asks for a challenge on connection 1 as `authID` and confirms it with `nonce`.
    static func challenge(_ model: inout AccessModel, _ authID: UInt32, _ nonce: Bytes32, at now: LockInstant) {
        let pending = model.receive(frame(authID, .requestData(RequestData(requestedCommand: .challenge))), on: 1, at: now)
        _ = model.confirm(pending, outcome: .accepted, nonce: nonce, codeID: nil)
    }

    @Test func weekdaysAndDailyWindowsAreJudgedInLocalTime() {
        let model = Self.model()
        let mondayOnly = Self.window(.monday, .midnight, .midnight)
        #expect(model.allowed(mondayOnly, at: Self.sunday) == false)
        #expect(model.allowed(mondayOnly, at: Self.at(2025, 12, 1, 0, 0)) == true)
        #expect(model.allowed(mondayOnly, at: Self.at(2025, 11, 30, 23, 59, 59)) == false)
        // 22:00–06:00 counts for the day it starts: Sunday's night reaches into Monday morning.
        let sundayNight = Self.window(.sunday, TimeOfDay(hour: 22, minute: 0), TimeOfDay(hour: 6, minute: 0))
        #expect(model.allowed(sundayNight, at: Self.at(2025, 12, 1, 5, 59)) == true)
        #expect(model.allowed(sundayNight, at: Self.at(2025, 12, 1, 6, 0)) == false)
        #expect(model.allowed(sundayNight, at: Self.at(2025, 11, 30, 1, 0)) == false, "Sunday 01:00 belongs to Saturday's night")
        // Half-open daily window; in summer local time is UTC + 1 h (offset 0, EU DST).
        let office = Self.window([], TimeOfDay(hour: 9, minute: 0), TimeOfDay(hour: 17, minute: 0))
        #expect(model.allowed(office, at: Self.at(2026, 6, 1, 7, 59, 59)) == false)
        #expect(model.allowed(office, at: Self.at(2026, 6, 1, 8, 0)) == true)
        #expect(model.allowed(office, at: Self.at(2026, 6, 1, 15, 59, 59)) == true)
        #expect(model.allowed(office, at: Self.at(2026, 6, 1, 16, 0)) == false)
        #expect(model.allowed(office, at: Self.at(2026, 1, 5, 8, 30)) == false, "winter: 08:30 local")
    }

    @Test func theRepeatedHourIsNotGrantedTwice() {
        let model = Self.model()
        // 2026-10-25 01:15Z: the clocks went back at 01:00Z; local 01:15 for the second time.
        let secondPass = Self.at(2026, 10, 25, 1, 15)
        #expect(model.allowed(Self.window([], .midnight, TimeOfDay(hour: 1, minute: 30)), at: secondPass) == false)
        #expect(model.allowed(Self.window([], TimeOfDay(hour: 1, minute: 30), TimeOfDay(hour: 3, minute: 0)), at: secondPass) == true)
        #expect(model.allowed(Self.window([], .midnight, TimeOfDay(hour: 1, minute: 30)), at: Self.at(2026, 10, 25, 0, 15)) == true, "first pass")
    }

    @Test func datesAreInclusiveToTheSecondAndAnUnsetClockRefuses() {
        var model = Self.model()
        let day = TimeRestriction(
            timeLimited: true, allowedFrom: DateTime(year: 2025, month: 11, day: 30, hour: 8, minute: 0, second: 0),
            allowedUntil: DateTime(year: 2025, month: 11, day: 30, hour: 9, minute: 0, second: 0), allowedWeekdays: [],
            allowedFromTime: .midnight, allowedUntilTime: .midnight)
        #expect(model.allowed(day, at: Self.sunday.adding(milliseconds: -1)) == false)
        #expect(model.allowed(day, at: Self.sunday) == true)
        #expect(model.allowed(day, at: Self.sunday.adding(milliseconds: 3_600_999)) == true)
        #expect(model.allowed(day, at: Self.sunday.adding(milliseconds: 3_601_000)) == false)
        model.clockOffsetMilliseconds = nil
        #expect(model.allowed(day, at: Self.sunday) == false)
        #expect(model.allowed(.unrestricted, at: Self.sunday) == true)
    }

    @Test func fiveWrongCodesStartALockoutAndAGoodCodeEndsTheCount() {
        var model = Self.model()
        var now = Self.sunday
        func type(_ code: UInt32) -> String {
            let nonce = Bytes32([UInt8](repeating: UInt8(truncatingIfNeeded: now.millisecondsSince1970 / 1000), count: 32)) ?? .zero
            Self.challenge(&model, Self.keypad, nonce, at: now)
            let pending = model.receive(Self.frame(Self.keypad, .keypadAction(KeypadActionRequest(source: .code, code: code, action: .unlock, challenge: nonce))), on: 1, at: now)
            now = now.adding(milliseconds: 1_000)
            return "\(pending.rule) \(pending.expectation)"
        }
        let wrong = "keypad-wrong-code refused \(NukiErrorCode.codeInvalid) (encrypted)"
        #expect((0..<4).map { _ in type(111_111) } == Array(repeating: wrong, count: 4))
        #expect(type(111_111) == "keypad-wrong-code refused \(NukiErrorCode.codeInvalidTimeout1) (encrypted)")
        #expect(type(246_813) == "keypad-lockout refused \(NukiErrorCode.codeInvalidTimeout1) (encrypted)", "the right code too")
        #expect(model.keypadLockedUntil == Self.sunday.adding(milliseconds: 4_000 + 30_000))
        now = now.adding(milliseconds: 30_000)
        #expect(type(246_813) == "keypad-code-opens granted")
        #expect(model.keypadFailures == 5, "the count resets only when the lock accepts")
        #expect(AccessModel.keypadLockoutMilliseconds(failures: 10) == 300_000)
        #expect(AccessModel.keypadLockoutMilliseconds(failures: 15) == 1_800_000)
        #expect(AccessModel.keypadLockoutMilliseconds(failures: 20) == 3_600_000)
        #expect(AccessModel.keypadLockoutMilliseconds(failures: 45) == 86_400_000)
    }

    @Test func aChallengeWorksOnceAndTamperedFramesChangeNothing() {
        var model = Self.model()
        let nonce = Bytes32([UInt8](repeating: 7, count: 32)) ?? .zero
        Self.challenge(&model, Self.app, nonce, at: Self.sunday)
        let unlock = NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 11, challenge: nonce))
        var tampered = Self.frame(Self.app, unlock)
        tampered.intact = false
        #expect("\(model.receive(tampered, on: 1, at: Self.sunday).expectation)" == "refused \(NukiErrorCode.notAuthorized) (plain)")
        var inner = Self.frame(Self.keypad, unlock)
        inner.innerAuthID = Self.app
        #expect(model.receive(inner, on: 2, at: Self.sunday).rule == "inner-auth-id")
        #expect(model.boundAuthID(2) == nil, "a frame that does not authenticate binds nothing")
        #expect("\(model.receive(Self.frame(Self.app, unlock), on: 1, at: Self.sunday).expectation)" == "granted")
        #expect("\(model.receive(Self.frame(Self.app, unlock), on: 1, at: Self.sunday).expectation)" == "refused \(NukiErrorCode.badNonce) (encrypted)")
        #expect("\(model.receive(Self.frame(Self.keypad, .requestData(RequestData(requestedCommand: .challenge))), on: 1, at: Self.sunday).expectation)"
            == "refused \(NukiErrorCode.notAuthorized) (encrypted)", "connection 1 belongs to the app")
    }

    @Test func pinFailuresLockThePINOut() {
        var model = Self.model()
        var now = Self.sunday
        var rules: [String] = []
        for pin: UInt16 in [1, 2, 3, 4321] {
            let nonce = Bytes32([UInt8](repeating: UInt8(pin & 0xFF), count: 32)) ?? .zero
            Self.challenge(&model, Self.app, nonce, at: now)
            let pending = model.receive(Self.frame(Self.app, .verifySecurityPIN(VerifySecurityPIN(challenge: nonce, securityPIN: .u16(pin)))), on: 1, at: now)
            rules.append("\(pending.rule) \(pending.expectation)")
            now = now.adding(milliseconds: 1_000)
        }
        #expect(rules == [
            "pin refused \(NukiErrorCode.badPIN) (encrypted)", "pin refused \(NukiErrorCode.badPIN) (encrypted)",
            "pin refused \(NukiErrorCode.badPIN) (encrypted)", "pin-lockout refused \(NukiErrorCode.tooManyPINAttempts) (encrypted)",
        ])
        #expect(model.pinLockedUntil == Self.sunday.adding(milliseconds: 2_000 + 30_000))
    }

    @Test func nfcCountersMustRise() {
        var model = Self.model()
        func tap(_ counter: UInt32, genuine: Bool = true) -> String {
            let nonce = Bytes32([UInt8](repeating: UInt8(counter & 0xFF), count: 32)) ?? .zero
            Self.challenge(&model, Self.keypad, nonce, at: Self.sunday)
            let evidence = KeypadNFCEvidence(counter: counter, authenticator: .zero, uid: [])
            var frame = Self.frame(Self.keypad, .keypadAction(KeypadActionRequest(nfcCredentialID: Self.fob, action: .unlock, challenge: nonce, evidence: evidence)))
            frame.nfcGenuine = genuine
            let pending = model.receive(frame, on: 1, at: Self.sunday)
            _ = model.confirm(pending, outcome: .accepted, nonce: nil, codeID: nil)
            return "\(pending.rule) \(pending.expectation)"
        }
        #expect(tap(5) == "nfc-opens granted")
        #expect(tap(5) == "nfc-counter refused \(NukiErrorCode.badNonce) (encrypted)")
        #expect(tap(4) == "nfc-counter refused \(NukiErrorCode.badNonce) (encrypted)")
        #expect(tap(6, genuine: false) == "nfc-authenticator refused \(NukiErrorCode.notAuthorized) (encrypted)")
        #expect(tap(6) == "nfc-opens granted")
    }

    /// `swift test`'s corpus replay and the fuzzer start from these seeds: each is a file of
    /// `Corpus/LockSession/`, byte for byte.
    @Test func theModelSeedsAreInTheCorpus() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus/LockSession")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let files = Set(names.compactMap { try? [UInt8](Data(contentsOf: folder.appendingPathComponent($0))) })
        for seed in SessionSeeds.modelSeeds() {
            #expect(files.contains(seed), "seed of \(seed.count) bytes missing from Corpus/LockSession")
        }
    }

    /// AU-09 on the fixture's lock whose clock was never set (an input whose first byte has bit 7):
    /// a time-limited keypad code and authorization fail closed with K_ERROR_TIME_NOT_ALLOWED until the
    /// app's Update Time; then the clock judges them.
    @Test func aLockWhoseClockWasNeverSetFailsClosedUntilUpdateTime() throws {
        let fixture = try #require(SessionFixture.shared)
        #expect(fixture.machine.clockOffsetMilliseconds == 0 && fixture.machineClockNeverSet.clockOffsetMilliseconds == nil)
        #expect(fixture.machineClockNeverSet.authorizations.map(\.authID) == fixture.machine.authorizations.map(\.authID))
        let seed = try #require(SessionSeeds.modelSeeds().last)
        #expect(seed.first == 0x90)  // op 16 (update code) with bit 7
        let (verdicts, violation) = LockSessionHarness.verdicts(seed[...])
        #expect(violation == nil)
        let timeNotAllowed = "refused \(NukiErrorCode.timeNotAllowed) (encrypted)"
        #expect(verdicts == [
            "challenge accepted", "update-code accepted",
            "challenge accepted", "keypad-code-window \(timeNotAllowed)",
            "challenge accepted", "update-authorization accepted",
            "challenge accepted", "authorization-window \(timeNotAllowed)",
            "challenge accepted", "update-time accepted",
            "challenge accepted", "lock-action accepted",
            "challenge accepted", "keypad-code-opens accepted",
        ])
    }

    @Test func theModelSeedsPassAndReachWhatTheyAreFor() throws {
        let seeds = SessionSeeds.modelSeeds()
        #expect(seeds.count == 11)
        var all: [String] = []
        for seed in seeds {
            let (verdicts, violation) = LockSessionHarness.verdicts(seed[...])
            #expect(violation == nil, "\(violation.map { "\($0)" } ?? "")")
            #expect(LockSessionHarness.run(seed[...]).unread == 0)
            all += verdicts
        }
        for expected in [
            "keypad-disabled-code refused \(NukiErrorCode.disabled) (encrypted)", "keypad-code-opens accepted",
            "disabled-authorization refused \(NukiErrorCode.disabled) (encrypted)", "nfc-disabled-fob refused \(NukiErrorCode.disabled) (encrypted)",
            "keypad-code-window refused \(NukiErrorCode.timeNotAllowed) (encrypted)", "authorization-window refused \(NukiErrorCode.timeNotAllowed) (encrypted)",
            "nfc-opens accepted", "nfc-counter refused \(NukiErrorCode.badNonce) (encrypted)", "nfc-authenticator refused \(NukiErrorCode.notAuthorized) (encrypted)",
            "nfc-not-a-fob refused \(NukiErrorCode.notAuthorized) (encrypted)",
            "challenge-once refused \(NukiErrorCode.badNonce) (encrypted)", "mac refused \(NukiErrorCode.notAuthorized) (plain)",
            "crc refused \(NukiErrorCode.badCRC) (encrypted)", "inner-auth-id refused \(NukiErrorCode.notAuthorized) (plain)",
            "pin-lockout refused \(NukiErrorCode.tooManyPINAttempts) (encrypted)", "access refused \(NukiErrorCode.notAuthorized) (encrypted)",
            "keypad-wrong-code refused \(NukiErrorCode.codeInvalidTimeout1) (encrypted)", "keypad-lockout refused \(NukiErrorCode.codeInvalidTimeout1) (encrypted)",
            "update-time accepted", "lock-action accepted",
        ] {
            #expect(all.contains(expected), "no seed reaches \(expected)")
        }
    }
}
