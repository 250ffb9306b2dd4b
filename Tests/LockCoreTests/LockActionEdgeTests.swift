import Foundation
import LockCore
import LockWire
import Testing

/// The real lock's edges of a Lock Action (issue 18): the name suffix in the log entry's name, and
/// when lock'n'go sends COMPLETE (docs/wire.md §5.3, §8, §13).
@Suite struct LockActionEdgeTests {
    typealias F = Fixture

    static func suffix(_ text: String) -> FixedName { FixedName(text, width: FixedName.shortNameWidth) }

    static func lockAction(_ m: inout LockMachine, _ action: LockAction, suffix: FixedName?, from auth: UInt32 = F.app) throws -> [LockOutput] {
        try m.handle(.lockAction(LockActionRequest(action: action, appID: auth, nameSuffix: suffix, challenge: .zero)), from: auth, at: F.t0)
    }

    /// Index 1, 2026-03-02 09:00:00, auth id 1, `name` (32 bytes), type 0x02, unlock by system,
    /// flags 0, success, one pad byte (docs/wire.md §8: 53-byte entries).
    static func unlockEntryHex(name: String) -> String {
        let nameHex = Hex.encode(FixedName(name, width: 32).bytes)
        return "01000000" + "EA070302090000" + "01000000" + nameHex + "02" + "0100000000"
    }

    @Test func aLockActionWithASuffixLogsTheNameFollowedByTheSuffix() throws {
        var m = try F.machine()
        _ = try Self.lockAction(&m, .unlock, suffix: Self.suffix(" (Ann)"))
        let entry = try #require(m.log.entries.last)
        #expect(entry.name.text == "Phone (Ann)")
        #expect(Hex.encode(entry.encoded()) == Self.unlockEntryHex(name: "Phone (Ann)"))
        #expect(entry.encoded().count == 53)
        // The authorization's own name is unchanged.
        #expect(m.authorization(F.app)?.name.text == "Phone")
    }

    @Test func aLockActionWithoutSuffixOrWithAnEmptyOneLogsTheAuthorizationsName() throws {
        var m = try F.machine()
        _ = try Self.lockAction(&m, .unlock, suffix: nil)
        #expect(Hex.encode(try #require(m.log.entries.last).encoded()) == Self.unlockEntryHex(name: "Phone"))
        _ = try Self.lockAction(&m, .lock, suffix: FixedName(rawBytes: [UInt8](repeating: 0, count: 20)))
        #expect(m.log.entries.last?.name == FixedName("Phone", width: 32))
    }

    @Test func theCombinedNameIsCutAtTheLogNames32BytesOnAScalarBoundary() throws {
        var m = try F.machine()
        // 30 bytes of name + "é" (2 bytes) fill 32 exactly; the suffix "ü…" then does not fit at all.
        let long = String(repeating: "a", count: 30) + "é"
        m.restoreAuthorization(Authorization(authID: 9, idType: .app, clientID: 9, name: FixedName(long, width: 32), dateCreated: .unset))
        _ = try Self.lockAction(&m, .unlock, suffix: Self.suffix("ü-suffix"), from: 9)
        #expect(m.log.entries.last?.name.bytes == Array(long.utf8))
        // 31 bytes of name: a 2-byte "ü" does not fit in the one byte left, so nothing of it is kept.
        _ = try Self.lockAction(&m, .lock, suffix: nil, from: 9)
        let name31 = String(repeating: "b", count: 31)
        m.restoreAuthorization(Authorization(authID: 10, idType: .app, clientID: 10, name: FixedName(name31, width: 32), dateCreated: .unset))
        _ = try Self.lockAction(&m, .unlock, suffix: Self.suffix("üx"), from: 10)
        #expect(m.log.entries.last?.name.bytes == Array(name31.utf8) + [0])
        #expect(m.log.entries.last?.name.isWellFormed == true)
    }

    @Test func aSuffixWithJunkAfterItsNULOrInvalidUTF8IsStoredWellFormed() throws {
        var m = try F.machine()
        // "Bo", NUL, junk: the text ends at the NUL; 0xFF alone is not UTF-8 and becomes U+FFFD.
        _ = try Self.lockAction(&m, .unlock, suffix: FixedName(rawBytes: [0x42, 0x6F, 0x00, 0x41] + [UInt8](repeating: 0x5A, count: 16)))
        #expect(m.log.entries.last?.name.text == "PhoneBo")
        _ = try Self.lockAction(&m, .lock, suffix: FixedName(rawBytes: [0x20, 0xFF] + [UInt8](repeating: 0, count: 18)))
        let entry = try #require(m.log.entries.last)
        #expect(entry.name.bytes.prefix(9) == [0x50, 0x68, 0x6F, 0x6E, 0x65, 0x20, 0xEF, 0xBF, 0xBD])
        #expect(entry.name.isWellFormed)
    }

    @Test func simpleLockActionsSuffixNamesTheLogEntryToo() throws {
        var m = try F.machine()
        _ = try m.handle(.simpleLockAction(SimpleLockActionRequest(action: .unlock, nameSuffix: Self.suffix("/HA"), challenge: .zero)), from: F.app, at: F.t0)
        #expect(m.log.entries.last?.name.text == "Phone/HA")
    }

    @Test func aSuffixedRunSurvivesTheStateFile() throws {
        var m = try F.machine(motorStep: 1000)
        _ = try Self.lockAction(&m, .unlock, suffix: Self.suffix(" (Ann)"))
        var restored = try JSONDecoderShim.roundTrip(m)
        _ = restored.advance(to: F.t0.adding(milliseconds: 2_000))
        #expect(restored.log.entries.last?.name.text == "Phone (Ann)")
    }

    /// Lock'n'go with a 1 s motor step and the default 20 s hold: ACCEPTED, unlocking (1 s),
    /// unlocked-lock'n'go (2 s) and COMPLETE at once, then locking (22 s) and locked (23 s) as
    /// Keyturner States only; the log entry when the relock ends.
    @Test func lockNGoSendsCompleteAfterTheUnlockPhaseAndTheRelockAsStateUpdates() throws {
        var m = try F.machine(motorStep: 1000)
        var timeline: [(Int64, String)] = []
        func note(_ outputs: [LockOutput], at ms: Int64) {
            for reply in F.replies(outputs) {
                switch reply {
                case .status(let status): timeline.append((ms, "status \(status.status.rawValue)"))
                case .keyturnerStates(let states): timeline.append((ms, "states \(states.lockState.name ?? "")"))
                default: timeline.append((ms, "\(reply.command)"))
                }
            }
        }
        note(try F.lockAction(&m, .lockNGo), at: 0)
        let logCount = m.log.entries.count
        for ms in stride(from: Int64(500), through: 30_000, by: 500) {
            note(m.advance(to: F.t0.adding(milliseconds: ms)), at: ms)
            if ms == 21_500 { #expect(m.log.entries.count == logCount, "no log entry before the relock ends") }
        }
        #expect(timeline.map { "\($0.0) \($0.1)" } == [
            "0 status 1",
            "1000 states UNLOCKING",
            "2000 states UNLOCKED_LOCK_N_GO",
            "2000 status 0",
            "22000 states LOCKING",
            "23000 states LOCKED",
        ])
        #expect(m.log.entries.last?.event == .lockAction(.init(action: .lockNGo, trigger: .system, flags: 0, completionStatus: .success)))
        #expect(m.log.entries.last?.timestamp == F.t0.adding(milliseconds: 23_000).utcDateTime)
        #expect(!m.isBusy)
    }

    /// With unlatch: COMPLETE after the hold state 0x06 too (3 s of unlatch first), never twice.
    @Test func lockNGoWithUnlatchSendsOneCompleteWhenTheHoldStarts() throws {
        var m = try F.machine(motorStep: 1000)
        var statuses: [(Int64, UInt8)] = []
        for reply in F.replies(try F.lockAction(&m, .lockNGoWithUnlatch)) { if case .status(let s) = reply { statuses.append((0, s.status.rawValue)) } }
        for ms in stride(from: Int64(1000), through: 30_000, by: 1000) {
            for reply in F.replies(m.advance(to: F.t0.adding(milliseconds: ms))) {
                if case .status(let s) = reply { statuses.append((ms, s.status.rawValue)) }
            }
        }
        // unlatching 1 s, unlatched 2 s (held 3 s), unlocked-lock'n'go 5 s: COMPLETE then.
        #expect(statuses.map { "\($0.0):\($0.1)" } == ["0:1", "5000:0"])
        #expect(m.lockState == .locked)
    }

    /// A key turn during the lock'n'go hold cancels the relock: the requester already has its
    /// COMPLETE and gets no Error Report after it; the log says canceled.
    @Test func aKeyTurnDuringTheHoldCancelsWithoutASecondAnswer() throws {
        var m = try F.machine(motorStep: 1000)
        _ = try F.lockAction(&m, .lockNGo)
        _ = m.advance(to: F.t0.adding(milliseconds: 2_000))
        let out = try m.manualTurn(.lock, at: F.t0.adding(milliseconds: 5_000))
        #expect(F.replies(out).isEmpty)
        #expect(m.log.entries.suffix(2).first?.event == .lockAction(.init(action: .lockNGo, trigger: .system, flags: 0, completionStatus: .canceled)))
    }
}

/// A machine through its persisted JSON form, as the state file stores it.
enum JSONDecoderShim {
    static func roundTrip(_ machine: LockMachine) throws -> LockMachine {
        try JSONDecoder().decode(LockMachine.self, from: JSONEncoder().encode(machine))
    }
}
