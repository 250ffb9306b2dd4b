import Foundation
import LockCrypto
import LockHost
import LockSession
import LockWire

/// Target 9: ``LockHost/LockStateFile/decode(_:random:)`` on arbitrary bytes (the state file is
/// untrusted input: a restored backup, a tampered disk).
///
/// Input: the whole file.
///
/// Invariants:
/// - `state-file-error-code`: a refused file throws ``LockHost/StateFileError`` with code
///   `invalid` or `unsupportedVersion` (never a read or write error: no file is touched);
/// - `loaded-state-valid`: a loaded machine passes ``LockCore/LockMachine/validate()``;
/// - `loaded-state-encodes`: a loaded state encodes again;
/// - `loaded-state-roundtrip`: that encoding loads, to an equal machine, with a key for every
///   authorization;
/// - `state-file-encoding-stable`: encoding the reloaded state gives the same bytes (a state file
///   reaches its fixed point after one load; `Fuzz/findings/state-file-nondeterministic-most-recent-commands.md`).
public enum StateFileHarness {
    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        let random = SeededRandomSource(seed: 0x57A7_EF11)
        let engine: LockSessionEngine
        do {
            engine = try LockStateFile.decode(Data(input), random: random)
        } catch {
            return Invariant.holds(
                "state-file-error-code", error.code == .invalid || error.code == .unsupportedVersion, "refused with \(error)")
        }
        do {
            try engine.machine.validate()
        } catch {
            return InvariantViolation("loaded-state-valid", error.reason)
        }
        let data: Data
        do {
            data = try LockStateFile.encode(engine)
        } catch {
            return InvariantViolation("loaded-state-encodes", "\(error)")
        }
        let again: LockSessionEngine
        do {
            again = try LockStateFile.decode(data, random: random)
        } catch {
            return InvariantViolation("loaded-state-roundtrip", "the re-encoded state does not load: \(error)")
        }
        guard again.machine == engine.machine else {
            return InvariantViolation(
                "loaded-state-roundtrip",
                "the reloaded machine differs in \(LockSessionHarness.differingFields(engine.machine, again.machine).joined(separator: ", "))")
        }
        for authorization in again.machine.authorizations where !again.hasKey(for: authorization.authID) {
            return InvariantViolation("loaded-state-roundtrip", "authorization \(authorization.authID) lost its key")
        }
        let third: Data
        do {
            third = try LockStateFile.encode(again)
        } catch {
            return InvariantViolation("loaded-state-encodes", "the reloaded state does not encode: \(error)")
        }
        return Invariant.holds(
            "state-file-encoding-stable", third == data, "the encoding changed after a reload (\(data.count) → \(third.count) bytes)")
    }
}
