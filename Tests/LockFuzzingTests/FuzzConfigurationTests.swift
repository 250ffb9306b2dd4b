import LockCore
import LockFuzzing
import Testing

/// The stateful fuzzers' configuration comes from the entry point's environment
/// (`LLVMFuzzerInitialize`), parsed here from a dictionary: the harness library reads none itself.
@Suite struct FuzzConfigurationTests {
    @Test func knownValuesAreTakenAndUnknownOnesReportedAndIgnored() {
        var warnings: [String] = []
        let configuration = FuzzConfiguration(
            environment: ["LATCHKEY_FUZZ_PERSISTENCE": "every-operation", "LATCHKEY_FUZZ_WEAKEN": "challenge-not-enforced,nope,admin-from-non-admin"]
        ) { warnings.append($0) }
        #expect(configuration == FuzzConfiguration(persistence: .everyOperation, weaknesses: [.challengeNotEnforced, .adminFromNonAdmin]))
        #expect(warnings == ["LATCHKEY_FUZZ_WEAKEN: unknown weakness nope"])

        warnings = []
        let bad = FuzzConfiguration(environment: ["LATCHKEY_FUZZ_PERSISTENCE": "always", "LATCHKEY_FUZZ_WEAKEN": ""]) { warnings.append($0) }
        #expect(bad == FuzzConfiguration())
        #expect(warnings == ["LATCHKEY_FUZZ_PERSISTENCE=always is not one of at-reboots, every-operation; using at-reboots"])
        #expect(FuzzConfiguration(environment: [:]) { _ in Issue.record("no warning expected") } == FuzzConfiguration())
    }

    /// Nothing is planted unless an entry point installs it (this test process installs nothing).
    @Test func theDefaultPlantsNothing() {
        #expect(FuzzConfiguration.current == FuzzConfiguration())
        #expect(SessionFixture.plantedWeaknesses.isEmpty)
        #expect(LockSessionHarness.configuredPersistence == .atReboots)
    }
}
