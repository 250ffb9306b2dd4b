import Foundation
import LockCore
import LockCrypto
import LockSession
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
}
