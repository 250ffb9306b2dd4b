import Foundation
import LockCore
import LockCrypto
import LockSession
import LockWire
import Synchronization

/// The running lock's write-ahead journal: a state file snapshot (``LockStateFile``) plus
/// `<state>.journal`, to which every commit appends one record of what changed, made durable with
/// one `fdatasync(2)` before the commit's acknowledgements leave. A commit costs the size of its
/// change, not of the whole state (10,000 authorizations and a full log are not written again for
/// each lock action).
///
/// Journal layout: JSON Lines, one record per commit, keys sorted:
///
/// ```json
/// {"authorizations":[…changed or new Authorization…],"generation":7,"keys":{"12":"<64 hex>"},
///  "logAppended":["<Log Entry 0x0032 payload hex>",…],"machine":{…LockMachine without its
///  authorizations and log entries…},"removedAuthorizations":[3],"removedKeys":[3]}
/// ```
///
/// `logEntries` (the whole log) replaces `logAppended` when the log did not just grow at its end.
///
/// Rules:
/// - The snapshot names its `journalGeneration`; only records of that generation apply to it, in
///   order. A snapshot is written (atomically, ``AtomicFile``) when the lock starts and whenever
///   the journal passes ``compactionBytes``; then the journal starts over empty with the next
///   generation. A crash between the two leaves records of an older generation, which are ignored.
/// - Appends are sequential and each is synced before the next, so only the last line can be torn
///   by a crash; a last line without its newline or that does not decode was never acknowledged and
///   is dropped on load. Any other bad line makes the load fail (``StateFileError`` `invalid`):
///   acknowledged data is never dropped silently.
/// - A failed append is cut off again (`ftruncate` to the last good size); if even that fails the
///   next commit writes a whole snapshot instead.
/// - A snapshot that cannot be written when the journal is due for folding (a folder the lock may
///   no longer write to; its open journal still works) does not stop the lock: records go on being
///   appended, up to ``appendLimitBytes``, and the failure is reported once through
///   ``takeWarnings()`` (again when a later fold succeeds). If the snapshot's rename happened but
///   what follows failed (the folder's `fsync`, the new journal), a snapshot of the next
///   generation may be on disk, to which this generation's records would not apply: the save
///   fails and the next one must write a whole snapshot of a later generation.
///
/// Loading is ``LockStateFile/load(random:owner:)`` (snapshot, then this journal, then the same
/// validation as a plain state file). Source: Latchkey design (issue "Nothing acknowledged is ever
/// lost"); the record's values use the state file's own encodings.
public final class LockStateJournal: LockStateStore, @unchecked Sendable {
    /// A journal of at least this many bytes is folded into a new snapshot at the next commit (0:
    /// every commit writes a snapshot and leaves the journal empty).
    public let compactionBytes: Int
    /// While snapshots cannot be written, the journal keeps taking records up to this size; past
    /// it, saves fail. Below ``LockStateFile/maxJournalBytes`` (what a restart reads).
    public let appendLimitBytes: Int
    public let file: LockStateFile
    /// `<state>.journal`.
    public var journalPath: String { Self.journalPath(for: file.path) }

    struct Record: Codable {
        var generation: UInt64
        var machine: LockMachine
        var authorizations: [Authorization]
        var removedAuthorizations: [UInt32]
        var logAppended: [String]?
        var logEntries: [String]?
        var keys: [String: String]
        var removedKeys: [UInt32]
    }

    struct Durable {
        var generation: UInt64
        var fd: Int32
        var bytes: Int
        /// What the journal and snapshot hold now.
        var machine: LockMachine
        var keys: [UInt32: SecretBytes]
        /// The journal cannot be appended to (a failed write could not be cut off, or a snapshot of
        /// a later generation may be on disk): the next save must write a whole snapshot.
        var broken = false
        /// Why the last fold into a snapshot failed, while folding keeps failing.
        var compactionFailure: String?
        /// Reports not yet taken by ``takeWarnings()``.
        var warnings: [String] = []
    }

    /// Writes a snapshot's bytes to the state file's path: ``AtomicFile/replace(_:with:)``; tests
    /// inject failures.
    typealias SnapshotWriter = @Sendable (String, Data) throws(AtomicFile.Failure) -> Void

    private let state: Mutex<Durable>
    private let writeSnapshot: SnapshotWriter

    /// The journal path of a state file.
    public static func journalPath(for statePath: String) -> String { statePath + ".journal" }

    /// Starts journaling for the lock `engine` served from `path`: writes a snapshot of it (the
    /// next generation after the one on disk) and an empty journal.
    /// Throws ``StateFileError`` `unwritable` when either cannot be written.
    /// `compactionBytes` and `appendLimitBytes` are in bytes of journal.
    public convenience init(
        path: String, engine: LockSessionEngine, compactionBytes: Int = 8 << 20, appendLimitBytes: Int = LockStateFile.maxJournalBytes / 2
    ) throws(StateFileError) {
        try self.init(path: path, engine: engine, compactionBytes: compactionBytes, appendLimitBytes: appendLimitBytes) { path, data throws(AtomicFile.Failure) in
            try AtomicFile.replace(path, with: data)
        }
    }

    init(path: String, engine: LockSessionEngine, compactionBytes: Int, appendLimitBytes: Int, writeSnapshot: @escaping SnapshotWriter) throws(StateFileError) {
        self.compactionBytes = max(0, compactionBytes)
        self.appendLimitBytes = max(1, min(appendLimitBytes, LockStateFile.maxJournalBytes))
        self.writeSnapshot = writeSnapshot
        file = LockStateFile(path: path)
        let generation = (LockStateFile.generationOnDisk(path) ?? 0) &+ 1
        let fd: Int32
        do {
            fd = try Self.snapshot(engine, file: file, generation: generation, write: writeSnapshot)
        } catch {
            throw error.error
        }
        state = Mutex(Durable(generation: generation, fd: fd, bytes: 0, machine: engine.machine, keys: Self.keyRefs(engine)))
    }

    /// What the journal has to report since the last call, oldest first: a fold into a snapshot
    /// that failed (the records go on in the journal), or one that succeeded again after failing.
    public func takeWarnings() -> [String] {
        state.withLock { durable in
            defer { durable.warnings.removeAll() }
            return durable.warnings
        }
    }

    deinit {
        state.withLock { _ = close($0.fd) }
    }

    /// Appends what changed since the last save (or folds everything into a new snapshot when the
    /// journal is large or broken) and syncs it. Throws ``StateFileError`` `unwritable`; then
    /// nothing of this save counts and the previous state is what a restart loads.
    public func save(_ engine: LockSessionEngine) throws(StateFileError) {
        try state.withLock { (durable: inout Durable) throws(StateFileError) in
            if durable.broken || durable.bytes >= compactionBytes {
                let generation = durable.generation &+ 1
                do throws(AtomicFile.Failure) {
                    let fd = try Self.snapshot(engine, file: file, generation: generation, write: writeSnapshot)
                    _ = close(durable.fd)
                    var warnings = durable.warnings
                    if durable.compactionFailure != nil { warnings.append("journal folded into \(file.path) again") }
                    durable = Durable(generation: generation, fd: fd, bytes: 0, machine: engine.machine, keys: Self.keyRefs(engine))
                    durable.warnings = warnings
                    return
                } catch {
                    if error.renamed {
                        // A snapshot of `generation` may be on disk: no record of the old one may
                        // count from now on, so the journal is broken until a snapshot succeeds.
                        durable.generation = generation
                        durable.broken = true
                    }
                    if durable.broken { throw error.error }
                    if durable.compactionFailure == nil {
                        durable.warnings.append(
                            "cannot fold the journal into a snapshot: \(error.error.reason); changes are kept in \(journalPath) (up to \(appendLimitBytes) bytes) until \(file.path) can be written")
                    }
                    durable.compactionFailure = error.error.reason
                }
            }
            let record = Self.record(from: durable, to: engine)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var line: Data
            do {
                line = try encoder.encode(record)
            } catch {
                throw StateFileError(.unwritable, "cannot encode a journal record: \(error)")
            }
            line.append(0x0A)
            guard durable.bytes + line.count <= appendLimitBytes else {
                throw StateFileError(
                    .unwritable,
                    "\(journalPath) would pass \(appendLimitBytes) bytes" + (durable.compactionFailure.map { " and no snapshot can be written: \($0)" } ?? ""))
            }
            if let failure = Self.append(line, to: durable.fd) {
                if ftruncate(durable.fd, off_t(durable.bytes)) != 0 { durable.broken = true }
                throw StateFileError(.unwritable, "cannot append to \(journalPath): \(failure)")
            }
            durable.bytes += line.count
            durable.machine = engine.machine
            durable.keys = Self.keyRefs(engine)
        }
    }

    // MARK: Writing

    /// Writes a snapshot of `engine` with `generation`, then empties the journal (created 0600),
    /// and returns its descriptor (open for appending). Throws ``AtomicFile/Failure``: `renamed`
    /// when the snapshot replaced the state file (then the journal may be emptied too).
    private static func snapshot(_ engine: LockSessionEngine, file: LockStateFile, generation: UInt64, write: SnapshotWriter) throws(AtomicFile.Failure) -> Int32 {
        let data: Data
        do {
            data = try LockStateFile.encode(engine, journalGeneration: generation)
        } catch {
            throw AtomicFile.Failure(error: error, renamed: false)
        }
        try write(file.path, data)
        let path = journalPath(for: file.path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw AtomicFile.Failure(error: StateFileError(.unwritable, "cannot open \(path): \(String(cString: strerror(errno)))"), renamed: true)
        }
        var reason: String?
        if fsync(fd) != 0 {
            reason = "cannot sync \(path): \(String(cString: strerror(errno)))"
        } else if let folder = AtomicFile.syncFolder(of: path) {
            reason = "cannot sync the folder of \(path): \(folder)"
        }
        if let reason {
            _ = close(fd)
            throw AtomicFile.Failure(error: StateFileError(.unwritable, reason), renamed: true)
        }
        return fd
    }

    /// Writes all of `line` and `fdatasync`s it; the reason when it could not.
    private static func append(_ line: Data, to fd: Int32) -> String? {
        let failed = line.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed || fdatasync(fd) != 0 { return String(cString: strerror(errno)) }
        return nil
    }

    static func keyRefs(_ engine: LockSessionEngine) -> [UInt32: SecretBytes] {
        engine.keys.mapValues(\.secret)
    }

    /// The record that turns `durable` into `engine`'s state.
    static func record(from durable: Durable, to engine: LockSessionEngine) -> Record {
        let (core, after) = engine.machine.splitCollections()
        let before = durable.machine.splitCollections().collections
        // Authorizations: both sorted by auth id; walk them together.
        var upserted: [Authorization] = []
        var removed: [UInt32] = []
        if before.authorizations != after.authorizations {
            var old = before.authorizations[...]
            for authorization in after.authorizations {
                while let first = old.first, first.authID < authorization.authID {
                    removed.append(first.authID)
                    old = old.dropFirst()
                }
                if let first = old.first, first.authID == authorization.authID {
                    if first != authorization { upserted.append(authorization) }
                    old = old.dropFirst()
                } else {
                    upserted.append(authorization)
                }
            }
            removed += old.map(\.authID)
        }
        // The log: usually a few entries appended at the end (older ones may have dropped off).
        var appended: [String]? = []
        var replaced: [String]?
        if before.logEntries != after.logEntries {
            let oldLast = before.logEntries.last
            let start = oldLast.flatMap { last in after.logEntries.lastIndex { $0.index == last.index } }.map { $0 + 1 } ?? 0
            let kept = after.logEntries[..<start]
            if kept.elementsEqual(before.logEntries.suffix(kept.count)), oldLast == nil || start > 0 {
                appended = after.logEntries[start...].map(LockLog.hex)
            } else {
                appended = nil
                replaced = after.logEntries.map(LockLog.hex)
            }
        }
        // Keys: compared by storage identity (a new pairing makes new storage).
        var keys: [String: String] = [:]
        var removedKeys: [UInt32] = []
        for (authID, key) in engine.keys where durable.keys[authID] !== key.secret {
            keys[String(authID)] = key.withUnsafeBytes { Hex.encode($0) }
        }
        for authID in durable.keys.keys where engine.keys[authID] == nil { removedKeys.append(authID) }
        return Record(
            generation: durable.generation, machine: core, authorizations: upserted, removedAuthorizations: removed,
            logAppended: appended, logEntries: replaced, keys: keys, removedKeys: removedKeys.sorted())
    }

    // MARK: Reading

    /// Applies the journal at `path`'s records of `generation` to `document`, in order. A torn last
    /// line is dropped; any other line that does not decode throws ``StateFileError`` `invalid`.
    static func replay(_ bytes: [UInt8], generation: UInt64, onto document: inout LockStateFile.Document, path: String) throws(StateFileError) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        // Nothing after the last newline, normally; anything there is a torn record.
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        let decoder = JSONDecoder()
        for (number, line) in lines.enumerated() {
            let record: Record
            do {
                record = try decoder.decode(Record.self, from: Data(line))
            } catch {
                // Only the last record can be torn (each was synced before the next was written),
                // and a torn record was never acknowledged.
                if number == lines.count - 1 { return }
                throw StateFileError.undecodable("\(path) line \(number + 1)", error)
            }
            guard record.generation == generation else { continue }
            var collections = document.machine.splitCollections().collections
            let removed = Set(record.removedAuthorizations)
            collections.authorizations.removeAll { removed.contains($0.authID) }
            collections.authorizations += record.authorizations
            do throws(WireError) {
                if let entries = record.logEntries {
                    collections.logEntries = try entries.map { hex throws(WireError) in try LockLog.entry(hex: hex) }
                } else if let appended = record.logAppended {
                    collections.logEntries += try appended.map { hex throws(WireError) in try LockLog.entry(hex: hex) }
                }
            } catch {
                throw StateFileError(.invalid, "\(path) line \(number + 1): a log entry\(error.reason)")
            }
            var machine = record.machine
            machine.restoreCollections(collections)
            document.machine = machine
            for authID in record.removedKeys { document.keys[String(authID)] = nil }
            for (authID, hex) in record.keys { document.keys[authID] = hex }
        }
    }
}
