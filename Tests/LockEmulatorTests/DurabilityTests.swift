import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockHost
import LockSession
import LockWire
import Synchronization
import Testing

/// Write-ahead durability of ``LockServer`` (issue "Nothing acknowledged is ever lost"): an
/// acknowledgement leaves only after the change it acknowledges was saved, and a change that cannot
/// be saved is refused (ERROR_UNKNOWN), reported, and not kept. The lock runs on its own thread over
/// the socket link, as `latchkey lock serve` does, with a store the test controls.
@Suite(.serialized) struct DurabilityTests {
    /// A store that records every saved machine, can be told to fail, and can be slow (so that an
    /// acknowledgement sent before its save would be seen by the client before the save finished).
    final class Store: LockStateStore, @unchecked Sendable {
        let state = Mutex<(failing: Bool, saved: [LockMachine], delay: Duration)>((false, [], .zero))
        func save(_ engine: LockSessionEngine) throws(StateFileError) {
            let (failing, delay) = state.withLock { ($0.failing, $0.delay) }
            if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) * 1e-18 + Double(delay.components.seconds)) }
            if failing { throw StateFileError(.unwritable, "cannot write /state/lock.json: No space left on device") }
            state.withLock { $0.saved.append(engine.machine) }
        }
        var last: LockMachine? { state.withLock { $0.saved.last } }
        var count: Int { state.withLock { $0.saved.count } }
    }

    final class Running: @unchecked Sendable {
        let server: LockServer
        final class Log: Sendable {
            let lines = Mutex<[String]>([])
            func append(_ line: String) { lines.withLock { $0.append(line) } }
            var all: [String] { lines.withLock { $0 } }
        }
        let events = Log()
        let thread: Thread
        init(store: any LockStateStore, folder: DiscoveryFolder, engine: LockSessionEngine? = nil) throws {
            let events = self.events
            server = try LockServer(engine: try engine ?? SocketLinkTests.lock(now: LockServer.wallClock()), folder: folder, statePath: nil, store: store) { event in
                switch event {
                case .storageFailed(let reason): events.append("storageFailed: \(reason)")
                case .storageRecovered: events.append("storageRecovered")
                case .lock(.authorizationAdded(let authID, let idType)): events.append("authorizationAdded(\(authID), \(idType))")
                case .refused(_, let code, let command, _): events.append("refused \(command) \(code)")
                default: break
                }
            }
            let box = UncheckedServer(server: server)
            thread = Thread { box.server.run() }
            thread.start()
        }
        func stop() {
            server.controls.stop()
            while thread.isExecuting { Thread.sleep(forTimeInterval: 0.005) }
            server.stop()
        }
    }

    struct UncheckedServer: @unchecked Sendable { let server: LockServer }

    static func folder() -> DiscoveryFolder {
        DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-durability-\(UUID().uuidString)")
    }

    @Test func aChangeThatCannotBeSavedIsRefusedReportedAndNotKept() throws {
        let store = Store()
        let folder = Self.folder()
        let running = try Running(store: store, folder: folder)
        defer { running.stop() }
        let client = try PeripheralClient(folder: folder)
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())

        store.state.withLock { $0.failing = true }
        // The lock refuses the pairing at the first step that changes its state (Authorization Data,
        // which takes an Authorization-ID) with ERROR_UNKNOWN.
        let refused = try client.run(&keypad, start: keypad.pair())
        guard case .failed(let error)? = refused.last, refused.count == 1 else {
            Issue.record("pairing not refused: \(refused)")
            return
        }
        #expect(error.code == .refused(.unknown))
        #expect(store.count == 0)
        #expect(running.events.all == [
            "storageFailed: cannot write /state/lock.json: No space left on device",
            "refused AUTHORIZATION_DATA(0x0006) ERROR_UNKNOWN(0xFF)",
        ])

        // Saving works again: the same pairing goes through, and the saved state holds it.
        store.state.withLock { $0.failing = false }
        var again = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        let retry = try PeripheralClient(folder: folder)
        let paired = try retry.run(&again, start: again.pair())
        guard case .paired(let authID)? = paired.last else {
            Issue.record("pairing failed: \(paired)")
            return
        }
        #expect(store.last?.authorization(authID)?.idType == .keypad)
        #expect(Array(running.events.all.dropFirst(2)) == ["storageRecovered", "authorizationAdded(\(authID), KEYPAD(0x03))"])
    }

    /// Read-only traffic writes nothing, also when time passes between its turns: with the real
    /// journal, a new client's whole GATT set-up (several turns, the lock's timers and battery
    /// bookkeeping moving on between them) adds no journal record; a wrong keypad code (a change)
    /// adds exactly one. (A journal that compared with its last record instead of the turn's start
    /// wrote one record per turn here: 4 to 16 per lock action in the runtime benchmark.)
    @Test func readOnlyTurnsAddNoJournalRecord() throws {
        let stateFolder = NSTemporaryDirectory() + "latchkey-journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stateFolder) }
        let engine = try SocketLinkTests.lock(now: LockServer.wallClock())
        let journal = try LockStateJournal(path: stateFolder + "/lock.json", engine: engine)
        let records = { (try? String(contentsOfFile: journal.journalPath, encoding: .utf8))?.split(separator: "\n").count ?? -1 }
        let folder = Self.folder()
        let running = try Running(store: journal, folder: folder, engine: engine)
        defer { running.stop() }
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        guard case .paired? = try PeripheralClient(folder: folder).run(&keypad, start: keypad.pair()).last else {
            Issue.record("pairing failed")
            return
        }
        let afterPairing = records()
        #expect(afterPairing >= 1)
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.05)
            _ = try PeripheralClient(folder: folder)  // GATT set-up only: MTU, discovery, indications on
        }
        #expect(records() == afterPairing)
        let client = try PeripheralClient(folder: folder)
        #expect(try client.run(&keypad, start: keypad.enter(code: 999_999, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.wrongCode])
        #expect(records() == afterPairing + 1)
    }

    /// The client checks, the moment it holds each acknowledgement, that the change is already in
    /// the last saved state. The store takes 150 ms per save, so an acknowledgement sent before its
    /// save would reach the client first.
    @Test func everyAcknowledgementFollowsTheSaveOfItsChange() throws {
        let store = Store()
        store.state.withLock { $0.delay = .milliseconds(150) }
        let folder = Self.folder()
        let running = try Running(store: store, folder: folder)
        defer { running.stop() }
        let client = try PeripheralClient(folder: folder)
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())

        let paired = try client.run(&keypad, start: keypad.pair())
        guard case .paired(let authID)? = paired.last else {
            Issue.record("pairing failed: \(paired)")
            return
        }
        #expect(store.last?.authorization(authID) != nil)

        // A wrong code is refused, and the refusal (an acknowledgement of the attempt) follows the
        // save of the lockout counter it raised.
        let savesBefore = store.count
        let before = try #require(store.last).keypadLockout
        #expect(try client.run(&keypad, start: keypad.enter(code: 999_999, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.wrongCode])
        #expect(store.count == savesBefore + 1)
        #expect(store.last?.keypadLockout != before)

        // The right code opens; ACCEPTED follows the save of the started action.
        let entered = try client.run(&keypad, start: keypad.enter(code: 456_789, at: LockServer.wallClock(), spacingMilliseconds: 0))
        #expect(entered == [.accepted(.keypadAction)])
        #expect(store.last?.lastLockAction == .unlock)
    }
}
