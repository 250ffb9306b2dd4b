import LockCore
import LockWire
import Testing

/// Steps of the lock's calendar (Update Time, 0x0021) by ±1 h and ±1 day in the middle of a motor
/// run, a pairing window, a keypad lockout and a security-PIN lockout change none of them: timers
/// run on the injected timebase (monotonic in `latchkey lock serve`, ``LockEmulator/LockTimebase``),
/// the calendar only decides time windows and log timestamps (issue "Nothing acknowledged is ever
/// lost", timers on the monotonic clock).
@Suite struct ClockStepTests {
    static let steps: [Int64] = [-3_600_000, 3_600_000, -86_400_000, 86_400_000]

    static func step(_ m: inout LockMachine, by milliseconds: Int64, at now: LockInstant) throws {
        let calendar = try #require(m.lockTime(at: now))
        try m.setClock(to: calendar.adding(milliseconds: milliseconds).utcDateTime, at: now)
    }

    @Test(arguments: steps) func aMotorRunEndsAtTheSameInstant(step: Int64) throws {
        func run(stepping: Bool) throws -> [LockInstant] {
            var m = try KeypadTests.machine()
            var model2 = m.model
            model2.motorStepMilliseconds = 1_000
            m.model = model2
            let t0 = KeypadTests.t0
            _ = try m.handle(.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: .zero)), from: KeypadTests.app, at: t0)
            var completions: [LockInstant] = []
            var now = t0
            for tick in 1...40 {
                now = t0.adding(milliseconds: Int64(tick) * 250)
                if stepping, tick == 3 { try Self.step(&m, by: step, at: now) }
                for output in m.advance(to: now) {
                    if case .event(.lockActionCompleted) = output { completions.append(now) }
                }
            }
            #expect(!m.isBusy)
            return completions
        }
        let reference = try run(stepping: false)
        #expect(reference.count == 1)
        #expect(try run(stepping: true) == reference)
    }

    @Test(arguments: steps) func anEndedPairingWindowStaysClosedAndAnOpenOneKeepsItsLength(step: Int64) throws {
        var m = try KeypadTests.machine()
        m.settings.pairingEnabled = true
        let t0 = KeypadTests.t0
        _ = m.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: t0)
        let window = m.pairingModeMilliseconds
        // Stepped while open: still open 1 ms before its end, closed at its end.
        try Self.step(&m, by: step, at: t0.adding(milliseconds: 1_000))
        #expect(m.isPairingMode(at: t0.adding(milliseconds: window - 1)))
        #expect(!m.isPairingMode(at: t0.adding(milliseconds: window)))
        // Stepped after it ended: it does not re-open.
        try Self.step(&m, by: step, at: t0.adding(milliseconds: window + 1))
        #expect(!m.isPairingMode(at: t0.adding(milliseconds: window + 2)))
    }

    @Test(arguments: steps) func aKeypadLockoutLastsItsFullLength(step: Int64) throws {
        var m = try KeypadTests.machine()
        _ = try KeypadTests.add(&m, 456_789)
        let t0 = KeypadTests.t0
        for _ in 0..<4 { #expect(KeypadTests.enter(&m, 999_999, at: t0) == .codeInvalid) }
        #expect(KeypadTests.enter(&m, 999_999, at: t0) == .codeInvalidTimeout1)
        try Self.step(&m, by: step, at: t0.adding(milliseconds: 1_000))
        // The right code is still refused until the 30 s of the first tier have passed.
        #expect(KeypadTests.enter(&m, 456_789, at: t0.adding(milliseconds: 29_999)) == .codeInvalidTimeout1)
        #expect(KeypadTests.enter(&m, 456_789, at: t0.adding(milliseconds: 30_000)) == nil)
    }

    @Test(arguments: steps) func aSecurityPINLockoutLastsItsFullLength(step: Int64) throws {
        var m = try KeypadTests.machine()
        let t0 = KeypadTests.t0
        func verify(_ pin: UInt16, at now: LockInstant) -> NukiErrorCode? {
            KeypadTests.error { () throws(LockError) in
                try m.handle(.verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(pin))), from: KeypadTests.app, at: now)
            }
        }
        var refusals: [NukiErrorCode?] = []
        while refusals.last != .tooManyPINAttempts, refusals.count < 50 { refusals.append(verify(1, at: t0)) }
        #expect(refusals.last == .tooManyPINAttempts)
        let lockout = try #require(m.pinGuard.remainingLockout(at: t0))
        try Self.step(&m, by: step, at: t0.adding(milliseconds: 1))
        #expect(verify(4321, at: t0.adding(milliseconds: lockout - 1)) == .tooManyPINAttempts)
        #expect(verify(4321, at: t0.adding(milliseconds: lockout)) == nil)
    }
}
