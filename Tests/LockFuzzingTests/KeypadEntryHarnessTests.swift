import LockFuzzing
import LockPeripherals
import LockWire
import Testing

/// The keypad entry target reaches the lock's real answers: acceptance, K_ERROR_CODE_INVALID, each
/// lockout tier, the key timeout.
@Suite struct KeypadEntryHarnessTests {
    static let code: UInt8 = 0x03
    static let wrong: [UInt8] = [UInt8](repeating: 1 << 2, count: 6)

    func feedback(_ input: [UInt8]) -> [PeripheralFeedback] {
        let (violation, feedback) = KeypadEntryHarness.replay(input[...])
        #expect(violation == nil)
        return feedback
    }

    @Test func storedCodeIsAccepted() {
        #expect(feedback([Self.code]).contains(.accepted(.keypadAction)))
    }

    @Test func wrongCodeIsInvalid() {
        let seen = feedback(Self.wrong)
        #expect(seen.contains(.wrongCode))
        #expect(!seen.contains(.accepted(.keypadAction)))
    }

    /// Six wrong codes reach the first lockout tier (K_ERROR_CODE_INVALID_TIMEOUT_1, `KeypadLockout`):
    /// the stored code right after is refused, and accepted 31 minutes later.
    @Test func lockoutRefusesTheStoredCodeUntilItEnds() {
        let seen = feedback((0..<6).flatMap { _ in Self.wrong } + [Self.code])
        let lockedOut = seen.contains { if case .lockedOut = $0 { true } else { false } }
        #expect(lockedOut)
        #expect(!seen.contains(.accepted(.keypadAction)))
        let later = feedback((0..<6).flatMap { _ in Self.wrong } + [Self.code, 0xFE, Self.code])
        #expect(later.contains(.accepted(.keypadAction)))
    }

    /// Three digits, 7.5 s, three more: the partial entry times out and nothing is sent.
    @Test func slowTypingTimesOut() {
        let seen = feedback([2 << 2, 4 << 2, 6 << 2, 0x3E, 8 << 2, 1 << 2, 3 << 2])
        #expect(seen.contains(.entryTimedOut(digits: 3)))
        #expect(!seen.contains(.wrongCode))
    }

    @Test func seedsPass() {
        let seeds = KeypadEntryHarness.seeds()
        #expect(seeds.count == 8)
        for seed in seeds {
            #expect(FuzzTarget.keypadEntry.check(seed[...]) == nil)
        }
    }
}
