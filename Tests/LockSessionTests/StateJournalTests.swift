import Foundation
import LockCore
import LockCrypto
@testable import LockHost
@testable import LockSession
import Synchronization
import LockWire
import Testing

/// ``LockStateJournal``: a snapshot plus one synced record per commit; loading replays the records
/// of the snapshot's generation, drops a torn last record and refuses any other bad one.
@Suite struct StateJournalTests {
    /// The whole state of an engine as the state file would hold it (keys included).
    static func bytes(_ engine: LockSessionEngine) throws -> Data { try LockStateFile.encode(engine) }

    static func loaded(_ path: String) throws -> LockSessionEngine {
        try LockStateFile(path: path).load(random: SeededRandomSource(seed: 5))
    }

    static func loadError(_ path: String) -> StateFileError? {
        do throws(StateFileError) {
            _ = try LockStateFile(path: path).load(random: SeededRandomSource(seed: 5))
            return nil
        } catch {
            return error
        }
    }

    static func lines(_ path: String) throws -> [String] {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func everyCommitIsOneRecordAndARestartLoadsTheSameState() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        let lock = try EndToEndTests.newLock()
        let journal = try LockStateJournal(path: path, engine: lock)
        #expect(try Self.lines(journal.journalPath).isEmpty)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(lock))

        // Pairing, a keypad, a code and a lockout: each saved as one record, each loaded back whole.
        let app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        try journal.save(app.lock)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(app.lock))
        var keypad = try EndToEndTests.pair(app.lock, .keypad, id: 2, connection: 2, at: EndToEndTests.start)
        for _ in 0..<5 { _ = keypad.pump(keypad.client.send(.keypadAction(source: .code, code: 999_999, action: .unlock))) }
        try journal.save(keypad.lock)
        try journal.save(keypad.lock)
        #expect(try Self.lines(journal.journalPath).count == 3)
        let restored = try Self.loaded(path)
        #expect(try Self.bytes(restored) == Self.bytes(keypad.lock))
        #expect(restored.machine.keypadLockout.active(at: keypad.now) != nil)
        #expect(restored.hasKey(for: 2))

        // The second record carries only what changed: the keypad's authorization and key (not the
        // app's) and the log entries of its pairing and five wrong codes; the third, saving the same
        // state again, nothing.
        let records = try Self.lines(journal.journalPath).map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect((records[1]["keys"] as? [String: String])?.keys.sorted() == ["2"])
        #expect((records[1]["authorizations"] as? [[String: Any]])?.compactMap { $0["authID"] as? Int } == [2])
        #expect((records[1]["logAppended"] as? [String])?.count == keypad.lock.machine.log.entries.count - app.lock.machine.log.entries.count)
        #expect((records[2]["keys"] as? [String: String])?.isEmpty == true)
        #expect((records[2]["authorizations"] as? [Any])?.isEmpty == true)
        #expect((records[2]["logAppended"] as? [String])?.isEmpty == true)
        #expect(records.allSatisfy { $0["generation"] as? Int == 1 })

        // A lock action by the app changes its existing authorization (lock count, last active):
        // the record updates it in place.
        var phone = app
        phone.lock = keypad.lock
        _ = phone.pump(phone.client.send(.lockAction(.unlock, appID: 1)))
        #expect(phone.lock.machine.authorization(1) != keypad.lock.machine.authorization(1))
        try journal.save(phone.lock)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(phone.lock))
    }

    @Test func aTornLastRecordIsDroppedAndABadEarlierOneIsRefused() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        let lock = try EndToEndTests.newLock()
        let journal = try LockStateJournal(path: path, engine: lock)
        let app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        try journal.save(app.lock)
        let good = try Data(contentsOf: URL(fileURLWithPath: journal.journalPath))

        // A crash in the middle of an append: the part after the last newline was never acknowledged.
        for torn in [#"{"generation":1,"mach"#, "{\"generation\":1,\"machine\":{}}\n", "\0\0\0\0"] {
            try (good + Data(torn.utf8)).write(to: URL(fileURLWithPath: journal.journalPath))
            #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(app.lock))
        }
        // A bad record followed by a good one: acknowledged data would be lost, so the load fails.
        try (Data("garbage\n".utf8) + good).write(to: URL(fileURLWithPath: journal.journalPath))
        let error = Self.loadError(path)
        #expect(error?.code == .invalid)
        #expect(error?.reason.hasPrefix("\(journal.journalPath) line 1 does not decode: ") == true)
    }

    @Test func aLargeJournalIsFoldedIntoANewSnapshotAndOlderRecordsNoLongerApply() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        let lock = try EndToEndTests.newLock()
        let journal = try LockStateJournal(path: path, engine: lock, compactionBytes: 1)
        let app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        try journal.save(app.lock)
        let generationOne = try Data(contentsOf: URL(fileURLWithPath: journal.journalPath))
        #expect(!generationOne.isEmpty)
        // Past compactionBytes: the next commit writes a snapshot of generation 2 and empties the journal.
        let (_, keypad) = try StateFileTests.usedLock()
        try journal.save(keypad.lock)
        #expect(try Self.lines(journal.journalPath).isEmpty)
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(snapshot["journalGeneration"] as? Int == 2)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(keypad.lock))
        // A crash between the snapshot and emptying the journal leaves generation-1 records: ignored.
        try generationOne.write(to: URL(fileURLWithPath: journal.journalPath))
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(keypad.lock))
    }

    @Test func logEntriesAreAppendedRecordByRecord() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        var lock = try EndToEndTests.newLock()
        let journal = try LockStateJournal(path: path, engine: lock)
        var keypad = try EndToEndTests.pair(lock, .keypad, id: 2, connection: 2, at: EndToEndTests.start)
        lock = keypad.lock
        try journal.save(lock)
        for round in 0..<8 {
            keypad.now = keypad.now.adding(milliseconds: 3_600_000)
            _ = keypad.pump(keypad.client.send(.keypadAction(source: .code, code: 999_999, action: .unlock)))
            try journal.save(keypad.lock)
            #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(keypad.lock), "round \(round)")
        }
        #expect(keypad.lock.machine.log.entries.count >= 8)
        let appended = try Self.lines(journal.journalPath).dropFirst().map { line in
            ((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["logAppended"] as? [String])?.count ?? -1
        }
        #expect(appended == Array(repeating: 1, count: 8))
    }

    /// A snapshot writer whose failures the test chooses: before the rename (nothing on disk
    /// changed: a folder the lock cannot write) or after it (the folder's fsync failed).
    final class SnapshotFaults: Sendable {
        enum Mode { case works, failsBeforeRename, failsAfterRename }
        let mode = Mutex<Mode>(.works)

        func set(_ mode: Mode) { self.mode.withLock { $0 = mode } }

        var writer: LockStateJournal.SnapshotWriter {
            { path, data throws(AtomicFile.Failure) in
                switch self.mode.withLock({ $0 }) {
                case .works:
                    try AtomicFile.replace(path, with: data)
                case .failsBeforeRename:
                    throw AtomicFile.Failure(error: StateFileError(.unwritable, "cannot create \(path).tmp: Permission denied"), renamed: false)
                case .failsAfterRename:
                    try AtomicFile.replace(path, with: data)
                    throw AtomicFile.Failure(error: StateFileError(.unwritable, "cannot sync the folder of \(path): Input/output error"), renamed: true)
                }
            }
        }
    }

    /// Issue 17: a folder the lock can no longer write stops the fold into a snapshot, not the
    /// journal: each commit is still appended (and loads back), the failure is reported once, and
    /// the first fold that works again is reported too.
    @Test func aFoldThatCannotWriteItsSnapshotLeavesTheRecordsInTheJournal() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        let faults = SnapshotFaults()
        let lock = try EndToEndTests.newLock()
        let journal = try LockStateJournal(path: path, engine: lock, compactionBytes: 1, appendLimitBytes: 1 << 20, writeSnapshot: faults.writer)
        let app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        try journal.save(app.lock)
        #expect(journal.takeWarnings() == [])
        faults.set(.failsBeforeRename)
        var keypad = try EndToEndTests.pair(app.lock, .keypad, id: 2, connection: 2, at: EndToEndTests.start)
        try journal.save(keypad.lock)
        #expect(journal.takeWarnings() == [
            "cannot fold the journal into a snapshot: cannot create \(path).tmp: Permission denied; changes are kept in \(journal.journalPath) (up to 1048576 bytes) until \(path) can be written"
        ])
        #expect(try Self.lines(journal.journalPath).count == 2)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(keypad.lock))
        _ = keypad.pump(keypad.client.send(.keypadAction(source: .code, code: 999_999, action: .unlock)))
        try journal.save(keypad.lock)
        #expect(journal.takeWarnings() == [], "reported once")
        #expect(try Self.lines(journal.journalPath).count == 3)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(keypad.lock))

        faults.set(.works)
        _ = keypad.pump(keypad.client.send(.keypadAction(source: .code, code: 999_998, action: .unlock)))
        try journal.save(keypad.lock)
        #expect(journal.takeWarnings() == ["journal folded into \(path) again"])
        #expect(try Self.lines(journal.journalPath).isEmpty)
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(keypad.lock))
    }

    /// Without snapshots the journal grows only to `appendLimitBytes`: past it the save fails
    /// (the lock refuses the change) and the last acknowledged state is what loads.
    @Test func withoutSnapshotsTheJournalStopsAtItsLimit() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        let faults = SnapshotFaults()
        let lock = try EndToEndTests.newLock()
        let app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        // The size of a record of no change, measured on a journal of its own.
        let probe = try LockStateJournal(path: try StateFileTests.folder() + "/probe.json", engine: lock)
        try probe.save(lock)
        let unchanged = try Data(contentsOf: URL(fileURLWithPath: probe.journalPath)).count
        let limit = 2 * unchanged + 10
        let journal = try LockStateJournal(path: path, engine: lock, compactionBytes: 1, appendLimitBytes: limit, writeSnapshot: faults.writer)
        try journal.save(lock)
        faults.set(.failsBeforeRename)
        try journal.save(lock)  // the fold fails; a second record of no change, under the limit
        #expect(try Self.lines(journal.journalPath).count == 2)
        let keypad = try EndToEndTests.pair(app.lock, .keypad, id: 2, connection: 2, at: EndToEndTests.start)
        do throws(StateFileError) {
            try journal.save(keypad.lock)
            Issue.record("saved past the limit")
        } catch {
            #expect(error.code == .unwritable)
            #expect(error.reason == "\(journal.journalPath) would pass \(limit) bytes and no snapshot can be written: cannot create \(path).tmp: Permission denied")
        }
        #expect(try Self.bytes(try Self.loaded(path)) == Self.bytes(lock))
    }

    /// A snapshot renamed into place whose folder could not be synced fails the save; the lock
    /// then rolls the change back and goes on from the older state. The next save must not append
    /// to the old generation's journal (its records would not apply to the newer snapshot that may
    /// be on disk) but write a snapshot of a later generation: what loads is what was saved last.
    @Test func aSnapshotRenamedButNotSyncedIsSupersededByTheNextSave() throws {
        let path = try StateFileTests.folder() + "/lock.json"
        let faults = SnapshotFaults()
        let lock = try EndToEndTests.newLock()
        let journal = try LockStateJournal(path: path, engine: lock, compactionBytes: 1, appendLimitBytes: 1 << 20, writeSnapshot: faults.writer)
        var app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        try journal.save(app.lock)
        faults.set(.failsAfterRename)
        let keypad = try EndToEndTests.pair(app.lock, .keypad, id: 2, connection: 2, at: EndToEndTests.start)
        for attempt in 0..<2 {
            do throws(StateFileError) {
                try journal.save(keypad.lock)
                Issue.record("saved although the folder was not synced (attempt \(attempt))")
            } catch {
                #expect(error.reason == "cannot sync the folder of \(path): Input/output error")
            }
        }
        // Rolled back: the keypad's pairing was refused. The app goes on.
        faults.set(.works)
        _ = app.pump(app.client.send(.lockAction(.unlock, appID: 1)))
        try journal.save(app.lock)
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(snapshot["journalGeneration"] as? Int == 4, "generation 1 at start, 2 and 3 maybe on disk, 4 written")
        let restored = try Self.loaded(path)
        #expect(try Self.bytes(restored) == Self.bytes(app.lock))
        #expect(!restored.hasKey(for: 2))
    }
}
