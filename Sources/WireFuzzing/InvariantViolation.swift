import LockWire

/// A broken harness invariant: a property every input must keep (a round trip, a limit, agreement of
/// two code paths). Harness checks return one instead of trapping, so tests can plant a violation and
/// see it reported; the fuzz entry points turn it into a crash with ``enforce(_:)``.
///
/// The name is stable and goes first in the crash message (`invariant plain-frame-roundtrip: …`), so
/// crashes de-duplicate by invariant rather than by the shared `fatalError` frames
/// (`docs/attacks.md` §C.4).
public struct InvariantViolation: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable kebab-case id of the invariant, e.g. `plain-frame-roundtrip`.
    public let name: String
    /// What was seen, with the bytes involved in hex where short.
    public let detail: String

    public init(_ name: String, _ detail: String) {
        self.name = name
        self.detail = detail
    }

    /// `invariant <name>: <detail>`, the message of the trap.
    public var description: String { "invariant \(name): \(detail)" }

    /// Traps with `fatalError("invariant <name>: …")` when `violation` is non-nil; does nothing otherwise.
    public static func enforce(_ violation: InvariantViolation?) {
        if let violation {
            fatalError(violation.description)
        }
    }
}

/// Small reusable invariant predicates. Each returns nil when the property holds.
public enum Invariant {
    /// `actual` must equal `expected` byte for byte (e.g. re-encoding what decoded).
    /// `@inlinable`, like the other predicates: they run on every input of every harness, and an
    /// unspecialised generic compare across modules (one witness call per byte) cost fobNFC 13 %
    /// of its time once its harness moved to its own module (perf, issue 19).
    @inlinable
    public static func sameBytes(
        _ name: String, expected: some Collection<UInt8>, actual: some Collection<UInt8>
    ) -> InvariantViolation? {
        if expected.elementsEqual(actual) { return nil }
        return InvariantViolation(name, "expected \(hexPreview(expected)), got \(hexPreview(actual))")
    }

    /// `value` must lie in `range` (a decoded length against a ``LockWire/WireLimits`` bound).
    @inlinable
    public static func within(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> InvariantViolation? {
        if range.contains(value) { return nil }
        return InvariantViolation(name, "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
    }

    /// `condition` must hold; `detail` is only built when it does not.
    @inlinable
    public static func holds(_ name: String, _ condition: Bool, _ detail: @autoclosure () -> String) -> InvariantViolation? {
        condition ? nil : InvariantViolation(name, detail())
    }

    /// Up to 48 bytes in hex, then the total count.
    public static func hexPreview(_ bytes: some Collection<UInt8>) -> String {
        let shown = Hex.encode(bytes.prefix(48))
        return bytes.count > 48 ? "\(shown)… (\(bytes.count) bytes)" : "\(shown) (\(bytes.count) bytes)"
    }
}
