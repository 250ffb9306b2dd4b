import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockHost
import LockSession
import LockWire
import Testing

/// docs/attacks.md §B5: PIN brute force and lockout (keypad codes and the security PIN).
@Suite struct B5KeypadPINTests {
    static let code: UInt32 = 456_789

    static func bench(motorStep: Int64 = 0) throws -> Bench {
        var bench = try Bench(motorStep: motorStep)
        try bench.pair("app", .app)
        try bench.pair("keypad", .keypad)
        #expect(bench.request("app", .addKeypadCode(code)).messages.last.map(\.command) == .keypadCodeID)
        return bench
    }

    static func type(_ bench: inout Bench, _ code: UInt32) -> NukiErrorCode? {
        let outcome = bench.request("keypad", .keypadAction(source: .code, code: code, action: .unlock))
        if outcome.errorCode == nil, bench.machine.lockState != .locked { _ = try? bench.link.engine.manualTurn(.lock, at: bench.now) }
        return outcome.errorCode
    }

    /// Codes with a 0 digit, fewer or more than six digits, or starting "12" are refused at creation
    /// and nothing is stored. The code is K_ERROR_BAD_PARAMETER (0x23), as the wire reference
    /// (`docs/wire.md` §7) gives it; docs/attacks.md's table names K_ERROR_CODE_INVALID (0x2B), which the
    /// wire reference keeps for a wrong code typed at the keypad (see this suite's README).
    @Test func test_PIN01_malformedCodesAreRefusedAtCreation() throws {
        var bench = try Self.bench()
        let before = try bench.snapshot()
        let malformed: [UInt32] = [456_089, 45_678, 1_456_789, 123_456, 129_999, 0, 999_990]
        var codes: [NukiErrorCode?] = []
        for code in malformed {
            let outcome = bench.request("app", .addKeypadCode(code))
            #expect(outcome.errorCode != nil, "\(code) accepted")
            codes.append(outcome.errorCode)
        }
        #expect(codes == Array(repeating: NukiErrorCode.badParameter, count: malformed.count))
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    /// 4 wrong codes 0x2B, the 5th 0x2C (30 s), the correct code refused during the lockout, the
    /// lockout survives a reconnect and a restart from the state file; then 0x2D at 10, 0x2E at 15.
    @Test func test_PIN02_growingLockoutSurvivesReconnectAndReboot() throws {
        var bench = try Self.bench()
        for _ in 0..<4 { #expect(Self.type(&bench, 211_111) == .codeInvalid) }
        #expect(Self.type(&bench, 211_111) == .codeInvalidTimeout1)
        let locked = try bench.snapshot()
        #expect(Self.type(&bench, Self.code) == .codeInvalidTimeout1, "correct code during the lockout")
        #expect(bench.machine.lockState == .locked)
        bench.reconnect("keypad")
        #expect(Self.type(&bench, Self.code) == .codeInvalidTimeout1, "after reconnect")
        // Restart: save, load, Request Reboot; every client reconnects.
        let restored = try LockStateFile.decode(try LockStateFile.encode(bench.engine), random: SeededRandomSource(seed: 5))
        bench.link.engine = restored
        bench.reconnect("keypad")
        bench.reconnect("app")
        #expect(bench.request("app", .with(.requestReboot) { .requestReboot(RequestReboot(challenge: $0, securityPIN: Bench.pin)) }).succeeded)
        #expect(Self.type(&bench, Self.code) == .codeInvalidTimeout1, "after restart")
        #expect(bench.machine.keypadLockout == locked.machine.keypadLockout)
        bench.advance(by: 30_000)
        for _ in 0..<4 { #expect(Self.type(&bench, 211_111) == .codeInvalid) }
        #expect(Self.type(&bench, 211_111) == .codeInvalidTimeout2)
        bench.advance(by: 299_999)
        #expect(Self.type(&bench, Self.code) == .codeInvalidTimeout2)
        bench.advance(by: 1)
        for _ in 0..<4 { #expect(Self.type(&bench, 211_111) == .codeInvalid) }
        #expect(Self.type(&bench, 211_111) == .codeInvalidTimeout3)
        bench.advance(by: 1_800_000)
        #expect(Self.type(&bench, Self.code) == nil, "correct code after the lockout")
        #expect(bench.machine.keypadLockout.consecutiveFailures == 0)
    }

    // MARK: PIN-03 brute-force budget

    /// The attacker's schedule: the virtual instant (ms after the start) at which each of the
    /// `valid` codes is tried, at the fastest rate the lock allows (Keypad Action over BLE with no
    /// key-press time; the next try at the very millisecond a lockout ends), against a lock whose
    /// only stored code is the last one tried, so every earlier try fails. Runs the real LockMachine.
    static func attackSchedule() throws -> (times: [Int64], valid: [UInt32]) {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var m = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: Bench.pin)
        let t0 = Bench.start
        try m.setClock(to: t0.utcDateTime, at: t0)
        m.restoreAuthorization(Authorization(authID: 1, idType: .app, clientID: 1, name: FixedName("Phone", width: 32), dateCreated: .unset))
        m.restoreAuthorization(Authorization(authID: 2, idType: .keypad, clientID: 2, name: FixedName("Keypad", width: 32), dateCreated: .unset))
        // Logging off: the ring's cost is not the attacker's, and the rate does not depend on it.
        _ = try m.handle(.enableLogging(EnableLogging(enabled: false, challenge: .zero, securityPIN: Bench.pin)), from: 1, at: t0)
        var valid: [UInt32] = []
        for code in UInt32(111_111)...999_999 where KeypadCode.isValidFormat(code) { valid.append(code) }
        let target = try #require(valid.last)
        _ = try m.handle(.addKeypadCode(AddKeypadCode(code: target, name: FixedName("c", width: 20), restriction: .unrestricted, challenge: .zero, securityPIN: Bench.pin)), from: 1, at: t0)
        var now = t0
        var times: [Int64] = []
        times.reserveCapacity(valid.count)
        for code in valid {
            if let lockout = m.keypadLockout.active(at: now) { now = now.adding(milliseconds: lockout.remainingMilliseconds) }
            times.append(now.milliseconds(since: t0))
            do {
                _ = try m.handle(.keypadAction(KeypadActionRequest(source: .code, code: code, action: .unlock, challenge: .zero)), from: 2, at: now)
                #expect(code == target, "only the stored code opens")
            } catch {
                #expect(code != target, "the stored code was refused: \(error)")
                #expect(error.code == .codeInvalid || [.codeInvalidTimeout1, .codeInvalidTimeout2, .codeInvalidTimeout3].contains(error.code))
            }
        }
        return (times, valid)
    }

    /// Expected time to the first hit when `stored` codes are drawn uniformly from the valid ones:
    /// Σ t_i · P(first stored code is at position i), P from the hypergeometric tail.
    static func expectedMilliseconds(_ times: [Int64], stored k: Int) -> Double {
        let n = times.count
        var survive = 1.0  // P(no stored code among positions < i)
        var expected = 0.0
        for i in 0..<n {
            let remaining = Double(n - i)
            let hit = survive * Double(k) / remaining
            expected += hit * Double(times[i])
            survive *= max(0, (remaining - Double(k)) / remaining)
        }
        return expected
    }

    static let year = 365.0 * 86_400_000

    /// PIN-03 as docs/attacks.md words it: at the maximum allowed rate against every valid code, the
    /// expected time to success is at least a year (one stored code, Nuki's claim).
    @Test func test_PIN03_bruteForceBudgetExceedsAYear() throws {
        let (times, valid) = try Self.attackSchedule()
        #expect(valid.count == 524_880)  // 9^6 − 9^4: six digits 1–9, not starting "12"
        let one = Self.expectedMilliseconds(times, stored: 1)
        #expect(one >= Self.year, "expected \(one / 86_400_000) days with one stored code")
        // Sustained rate: 5 tries per 24 h lockout once the third tier has doubled six times.
        let last = try #require(times.last)
        #expect(last / Int64(times.count) >= 17_000_000)
    }

    /// The same budget with the table full (100 codes): each stored code is a target, so the first
    /// hit comes about 100 times sooner; the doubling third tier (up to 24 h) keeps it over a year.
    /// Once failed: with a flat 30 min third tier it was 21.6 days.
    @Test func test_PIN03_bruteForceBudgetWithHundredStoredCodes() throws {
        let (times, _) = try Self.attackSchedule()
        let hundred = Self.expectedMilliseconds(times, stored: 100)
        #expect(hundred >= Self.year, "expected \(hundred / 86_400_000) days with 100 stored codes")
        #expect(hundred > 2.5 * Self.year && hundred < 3.0 * Self.year, "expected \(hundred / Self.year) years with 100 stored codes")
    }

    @Test func test_PIN04_everyWrongAttemptIsLoggedAndReported() throws {
        var bench = try Self.bench()
        let logged = bench.machine.log.entries.count
        for attempt in 1...4 {
            let outcome = bench.request("keypad", .keypadAction(source: .code, code: 211_111, action: .unlock))
            #expect(Bench.refusals(outcome.actions) == [.codeInvalid], "the event stream reports attempt \(attempt)")
            let entry = try #require(bench.machine.log.entries.last)
            #expect(bench.machine.log.entries.count == logged + attempt)
            #expect(entry.authID == (try bench.authID("keypad")))
            guard case .keypadAction(let k) = entry.event else {
                Issue.record("\(entry.event)")
                continue
            }
            #expect(k.completionStatus == .invalidCode && k.source == .code && k.codeID == 0)
        }
    }

    /// A typed code wrong in only its last digit (456788, 456781) or only its first (156789):
    /// K_ERROR_CODE_INVALID (0x2B) exactly, each logged and counted as a wrong code, the lock stays
    /// locked; the stored code then opens (and resets the count).
    @Test func test_PIN02_codeWrongInOneDigitIsCodeInvalid() throws {
        var bench = try Self.bench()
        let logged = bench.machine.log.entries.count
        for (attempt, code) in [UInt32(456_788), 456_781, 156_789].enumerated() {
            #expect(Self.type(&bench, code) == .codeInvalid, "\(code)")
            #expect(bench.machine.lockState == .locked)
            #expect(bench.machine.log.entries.count == logged + attempt + 1)
        }
        #expect(Self.type(&bench, Self.code) == nil, "the stored code opens")
        #expect(bench.machine.keypadCodes.codes.first?.lockCount == 1)
    }

    @Test func test_PIN05_duplicateCodeIsCodeAlreadyExists() throws {
        var bench = try Self.bench()
        let before = try bench.snapshot()
        #expect(bench.request("app", .addKeypadCode(Self.code)).errorCode == .codeAlreadyExists)
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    // PIN-06 (constant-time code check) is the statistical test in TimingTests (LATCHKEY_TIMING=1).

    @Test func test_PIN07_securityPINBruteForceLocksOut() throws {
        var bench = try Self.bench()
        for _ in 0..<3 { #expect(bench.request("app", .verifySecurityPIN(Bench.wrongPIN)).errorCode == .badPIN) }
        #expect(bench.request("app", .verifySecurityPIN(Bench.pin)).errorCode == .tooManyPINAttempts, "the right PIN during the lockout")
        bench.reconnect("app")
        #expect(bench.request("app", .verifySecurityPIN(.u16(2222))).errorCode == .tooManyPINAttempts)
        bench.advance(by: 30_000)
        #expect(bench.request("app", .verifySecurityPIN(.u16(3333))).errorCode == .badPIN)
        // Each further failure doubles the lockout (60 s now).
        bench.advance(by: 59_999)
        #expect(bench.request("app", .verifySecurityPIN(Bench.pin)).errorCode == .tooManyPINAttempts)
        bench.advance(by: 1)
        #expect(bench.request("app", .verifySecurityPIN(Bench.pin)).succeeded)
        #expect(bench.machine.pinGuard.consecutiveFailures == 0)
    }

    /// The security PIN (u16 LE on the wire: 4321 = E1 10) wrong only in its last byte (0x11E1 =
    /// 4577) or only in its first (0x10E0 = 4320): K_ERROR_BAD_PIN (0x21) exactly, each counted
    /// toward the lockout, nothing else changes; the right PIN then works and clears the count.
    @Test func test_PIN07_securityPINWrongInOneByteIsBadPIN() throws {
        var bench = try Self.bench()
        let before = try bench.snapshot()
        for (attempt, pin) in [SecurityPIN.u16(0x11E1), .u16(0x10E0)].enumerated() {
            #expect(bench.request("app", .verifySecurityPIN(pin)).errorCode == .badPIN, "\(pin)")
            #expect(bench.machine.pinGuard.consecutiveFailures == attempt + 1)
        }
        #expect(bench.machine.authorizations == before.machine.authorizations)
        #expect(bench.machine.keypadCodes == before.machine.keypadCodes)
        #expect(bench.request("app", .verifySecurityPIN(Bench.pin)).succeeded)
        #expect(bench.machine.pinGuard.consecutiveFailures == 0)
    }

    /// A disabled keypad code never opens: typed six times it is refused with K_ERROR_DISABLED
    /// (0x25) each time and nothing changes (no lock action, no log entry, no lockout count).
    /// Enabled again by the admin, the same code opens. (Issue 19: B5 had no disabled-code case.)
    @Test func test_AU03_disabledKeypadCodeNeverOpensUntilEnabledAgain() throws {
        var bench = try Self.bench()
        let codeID = try #require(bench.machine.keypadCodes.codes.first?.codeID)
        func update(enabled: Bool) -> ClientRequest {
            .with(.updateKeypadCode) {
                .updateKeypadCode(UpdateKeypadCode(
                    codeID: codeID, code: Self.code, name: FixedName("c\(Self.code)", width: FixedName.shortNameWidth), enabled: enabled,
                    restriction: .unrestricted, challenge: $0, securityPIN: Bench.pin))
            }
        }
        #expect(bench.request("app", update(enabled: false)).succeeded)
        #expect(bench.machine.keypadCodes.codes.first?.enabled == false)
        let before = try bench.snapshot()
        for attempt in 1...6 {
            #expect(Self.type(&bench, Self.code) == .disabled, "attempt \(attempt)")
        }
        #expect(bench.machine.lockState == .locked)
        #expect(try bench.snapshot() == before)
        #expect(bench.request("app", update(enabled: true)).succeeded)
        #expect(Self.type(&bench, Self.code) == nil, "enabled again, the code opens")
        #expect(bench.machine.keypadCodes.codes.first?.lockCount == 1)
    }

    /// A stolen keypad holds no codes: after a code is typed and answered, nothing in the emulator
    /// (entry buffer, session, pending request) keeps it. Re-pairing needs the lock's button.
    @Test func test_PIN08_stolenKeypadHoldsNoCodes() throws {
        var bench = try Bench()
        try bench.pair("app", .app)
        #expect(bench.request("app", .addKeypadCode(Self.code)).messages.last.map(\.command) == .keypadCodeID)
        let random = SeededRandomSource(seed: 31)
        var room = InProcessRoom(lock: bench.engine, now: bench.now)
        room.add("keypad", .keypad(KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: random), random: random)))
        room.route(room.lock.pressButton(heldMilliseconds: 5_000, at: room.now))
        room.act("keypad") { device, _ in
            guard case .keypad(var k) = device else { return [] }
            defer { device = .keypad(k) }
            return k.pair()
        }
        room.act("keypad") { device, now in
            guard case .keypad(var k) = device else { return [] }
            defer { device = .keypad(k) }
            return k.enter(code: Self.code, at: now)
        }
        let feedback = room.drain().compactMap { if case .feedback(let f) = $0.event { return f } else { return nil } }
        #expect(feedback.contains(.accepted(.keypadAction)))
        guard case .keypad(let keypad)? = room.devices["keypad"]?.device else {
            Issue.record("no keypad")
            return
        }
        #expect(keypad.entry.isEmpty)
        #expect(!Self.holds(Mirror(reflecting: keypad), code: Self.code), "the keypad emulator retains the typed code")
        // Re-pairing the stolen keypad elsewhere needs pairing mode (the lock's button).
        try bench.addClient("thief", .keypad, clientID: 7)
        #expect(bench.pairing("thief").failure?.code == .refused(.notPairing))
    }

    /// Whether any stored value in `mirror` (recursively) is the code as a number or its digits.
    static func holds(_ mirror: Mirror, code: UInt32, depth: Int = 0) -> Bool {
        let digits = String(code).compactMap { $0.wholeNumberValue }.map { UInt8($0) }
        for child in mirror.children {
            if let v = child.value as? UInt32, v == code { return true }
            if let v = child.value as? [UInt8], v == digits { return true }
            if depth < 8, holds(Mirror(reflecting: child.value), code: code, depth: depth + 1) { return true }
        }
        return false
    }
}
