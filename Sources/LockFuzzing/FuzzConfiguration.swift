import Foundation
import LockCore
import Synchronization

/// What a libFuzzer entry point may configure in the stateful harnesses, from its environment:
/// the only configuration path a libFuzzer binary has. The entry points read their environment in
/// `LLVMFuzzerInitialize` (libFuzzer calls it once, before the first input) and ``install(_:)``
/// the result; the harness library itself reads no environment (`docs/architecture.md` §2).
///
/// | variable | values | default |
/// |---|---|---|
/// | `LATCHKEY_FUZZ_PERSISTENCE` | `at-reboots`, `every-operation` (``LockSessionHarness/PersistenceCheck``) | `at-reboots` |
/// | `LATCHKEY_FUZZ_WEAKEN` | comma-separated ``LockCore/Weakness`` names (`latchkey lock serve --weaken`) | none |
///
/// Unknown values are reported through the `warn` closure and ignored (the default applies).
public struct FuzzConfiguration: Sendable, Equatable {
    /// The lockSession target's persistence check.
    public var persistence: LockSessionHarness.PersistenceCheck = .atReboots
    /// Flaws planted at run time in every engine the stateful harnesses build (mutation analysis,
    /// `Fuzz/README.md`, "Planted bugs").
    public var weaknesses: Set<Weakness> = []

    public init(persistence: LockSessionHarness.PersistenceCheck = .atReboots, weaknesses: Set<Weakness> = []) {
        self.persistence = persistence
        self.weaknesses = weaknesses
    }

    /// The configuration `environment` asks for; each unknown value is reported once through
    /// `warn` (one line, no newline) and ignored.
    public init(environment: [String: String], warn: (String) -> Void) {
        if let value = environment["LATCHKEY_FUZZ_PERSISTENCE"] {
            if let check = LockSessionHarness.PersistenceCheck(rawValue: value) {
                persistence = check
            } else {
                let known = LockSessionHarness.PersistenceCheck.allCases.map(\.rawValue).joined(separator: ", ")
                warn("LATCHKEY_FUZZ_PERSISTENCE=\(value) is not one of \(known); using at-reboots")
            }
        }
        if let value = environment["LATCHKEY_FUZZ_WEAKEN"] {
            for name in value.split(separator: ",") {
                if let weakness = Weakness(rawValue: String(name)) {
                    weaknesses.insert(weakness)
                } else {
                    warn("LATCHKEY_FUZZ_WEAKEN: unknown weakness \(name)")
                }
            }
        }
    }

    private static let installed = Mutex(FuzzConfiguration())

    /// The configuration in force (the default until an entry point installs one).
    public static var current: FuzzConfiguration { installed.withLock { $0 } }

    /// Puts `configuration` in force for every later input.
    public static func install(_ configuration: FuzzConfiguration) {
        installed.withLock { $0 = configuration }
    }

    /// What every stateful entry point's `LLVMFuzzerInitialize` does: parses `environment` (the
    /// process's, which only the entry point reads) and installs the result; unknown values are
    /// reported on standard error, one line each.
    public static func install(fromEnvironment environment: [String: String]) {
        install(FuzzConfiguration(environment: environment) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        })
    }
}
