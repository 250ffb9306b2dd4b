import Foundation
import LockCore
import LockCrypto
import LockSession
import LockWire
import PrivateFiles

/// The lock's persisted state: one JSON file with everything a restart must keep.
///
/// Layout (sorted keys, pretty-printed):
///
/// ```json
/// {
///   "keys": { "1": "<64 hex: shared key of auth id 1>", … },
///   "lockSecretKey": "<64 hex: the lock's X25519 secret key>",
///   "lockUUID": "<32 hex>",
///   "journalGeneration": 3,
///   "machine": { …LockMachine: users, keypad codes and lockout counters, config, battery…,
///                "log": { "entries": ["<Log Entry 0x0032 payload hex>", …], … } },
///   "schemaVersion": 2
/// }
/// ```
///
/// `machine.model` is the emulated device: `{"profile": "sl3", "firmware": "3.8.2",
/// "motorStepMilliseconds": 1000}` (``LockCore/LockModel``). Schema 1 (before device profiles) kept
/// the model's fields instead; such a file loads as the Smart Lock 3.0 profile it always was
/// (``LockCore/LockProfile/sl3`` on 3.8.2) and is written back as schema 2 on the next save.
///
/// `journalGeneration` (absent when the file was written without one) names the records of
/// `<state>.journal` that apply on top of this snapshot (``LockStateJournal``): a running lock
/// appends one per commit instead of rewriting this file.
///
/// The file holds secrets, so it is created with mode 0600. It is written atomically: the new
/// content goes to a temporary file in the same folder, created with O_EXCL, written in full and
/// fsync'd, then renamed over the old file, and the folder is fsync'd. A crash at any point leaves
/// the old file or the new one, never a mix (`docs/attacks.md` S-07).
///
/// Loading treats the file as untrusted input: size cap, schema version, every value validated by
/// its decoder, then ``LockCore/LockMachine/validate()`` and the key table checked against the
/// users. Any failure throws ``StateFileError`` and nothing is loaded.
public struct LockStateFile: Sendable {
    /// The version this code writes; it also reads ``migratedSchemaVersions``.
    public static let schemaVersion = 2
    /// Older versions this code reads: 1 (no device profile: the model loads as Smart Lock 3.0).
    public static let migratedSchemaVersions: Set<Int> = [1]
    /// Files larger than this are refused before parsing.
    public static let maxBytes = 16 << 20

    public let path: String

    public init(path: String) { self.path = path }

    struct Document: Codable {
        var schemaVersion: Int
        var lockSecretKey: String
        var lockUUID: LockUUID
        var keys: [String: String]
        var machine: LockMachine
        /// The generation of `<state>.journal` records that apply to this snapshot
        /// (``LockStateJournal``); absent in a file written without a journal.
        var journalGeneration: UInt64?
    }

    // MARK: Encoding

    /// The JSON bytes of `engine`'s state; `journalGeneration` names the journal records that
    /// apply to it (``LockStateJournal``).
    public static func encode(_ engine: LockSessionEngine, journalGeneration: UInt64? = nil) throws(StateFileError) -> Data {
        var keys: [String: String] = [:]
        for (authID, key) in engine.keys {
            keys[String(authID)] = key.withUnsafeBytes { Hex.encode($0) }
        }
        let document = Document(
            schemaVersion: schemaVersion,
            lockSecretKey: engine.lockKeyPair.secretKey.withUnsafeBytes { Hex.encode($0) },
            lockUUID: engine.lockUUID, keys: keys, machine: engine.machine, journalGeneration: journalGeneration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(document)
        } catch {
            throw StateFileError(.unreadable, "cannot encode the state: \(error)")
        }
    }

    /// The engine described by `data`, using `random` from now on.
    public static func decode(_ data: Data, random: any RandomSource) throws(StateFileError) -> LockSessionEngine {
        try engine(from: try document(data), random: random)
    }

    /// The document in `data`; errors name `path` (``StateFileError/undecodable(_:_:)``: the
    /// field and what was wrong).
    static func document(_ data: Data, path: String = "state file") throws(StateFileError) -> Document {
        guard data.count <= maxBytes else {
            throw StateFileError(.invalid, "\(path): \(data.count) bytes exceed the \(maxBytes) a state file may have")
        }
        do {
            return try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw StateFileError.undecodable(path, error)
        }
    }

    /// The journal generation named by the snapshot at `path`, if it can be read.
    static func generationOnDisk(_ path: String) -> UInt64? {
        guard let bytes = try? PrivateFiles.read(path, role: "state file", maximumBytes: maxBytes) else { return nil }
        return (try? document(Data(bytes)))?.journalGeneration
    }

    /// Validates a document (schema, machine invariants, keys against users) into an engine.
    static func engine(from document: Document, random: any RandomSource) throws(StateFileError) -> LockSessionEngine {
        guard document.schemaVersion == schemaVersion || migratedSchemaVersions.contains(document.schemaVersion) else {
            throw StateFileError(
                .unsupportedVersion, "schema version \(document.schemaVersion); this build reads \((migratedSchemaVersions.sorted() + [schemaVersion]).map(String.init).joined(separator: " and "))")
        }
        do {
            try document.machine.validate()
        } catch {
            throw StateFileError(.invalid, error.reason)
        }
        guard let secret = Hex.decode(document.lockSecretKey), secret.count == 32,
            let keyPair = try? KeyPair(secretKeyBytes: secret)
        else {
            throw StateFileError(.invalid, "field lockSecretKey is not 32 bytes of hex")
        }
        var keys: [UInt32: SharedKey] = [:]
        for (id, hex) in document.keys {
            guard let authID = UInt32(id), document.machine.authorization(authID) != nil else {
                throw StateFileError(.invalid, "field keys.\(id): no authorization \(id) in machine.authorizations")
            }
            guard let bytes = Hex.decode(hex), let key = try? SharedKey(rawBytes: bytes) else {
                throw StateFileError(.invalid, "field keys.\(id) is not 32 bytes of hex")
            }
            keys[authID] = key
        }
        for authorization in document.machine.authorizations where keys[authorization.authID] == nil {
            throw StateFileError(.invalid, "field keys has no key for authorization \(authorization.authID)")
        }
        return LockSessionEngine(machine: document.machine, lockKeyPair: keyPair, lockUUID: document.lockUUID, keys: keys, random: random)
    }

    // MARK: Files

    /// Whether anything is at the path (a dangling symbolic link counts: it is refused, never
    /// taken for a missing file).
    public var exists: Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Checks the path before use (``PrivateFiles/PrivateFiles/inspectFile(_:role:owner:)``): a
    /// symbolic link, FIFO, device, socket or folder, or a file of another user, is refused with
    /// ``StateFileError/Code-swift.struct/unsafe``; a file readable by others gives a warning.
    public func inspect(owner: uid_t = getuid()) throws(StateFileError) -> PrivateFiles.Inspection {
        do {
            return try PrivateFiles.inspectFile(path, role: "state file", owner: owner)
        } catch {
            throw StateFileError(error)
        }
    }

    /// Loads the engine from the file and the records of its journal (``LockStateJournal``), read
    /// through one descriptor opened with `O_NOFOLLOW |
    /// O_NONBLOCK` and checked with `fstat` (``PrivateFiles/PrivateFiles/read(_:role:maximumBytes:owner:followLinks:)``).
    /// Throws ``StateFileError`` (`unsafe`, `unreadable`, `invalid`, `unsupportedVersion`); nothing
    /// is half-loaded. The loaded lock reckons local time with `timeZoneRules` (the host's tz
    /// database unless given; they are not part of the file).
    public func load(
        random: any RandomSource, owner: uid_t = getuid(), timeZoneRules: TimeZoneRules = .systemDatabase
    ) throws(StateFileError) -> LockSessionEngine {
        var scratch = stat()
        let bytes: [UInt8]
        do {
            bytes = try PrivateFiles.read(path, role: "state file", maximumBytes: Self.maxBytes, owner: owner)
        } catch {
            throw StateFileError(error)
        }
        var document = try Self.document(Data(bytes), path: path)
        let journal = LockStateJournal.journalPath(for: path)
        if let generation = document.journalGeneration, lstat(journal, &scratch) == 0 {
            let records: [UInt8]
            do {
                records = try PrivateFiles.read(journal, role: "state journal", maximumBytes: Self.maxJournalBytes, owner: owner)
            } catch {
                throw StateFileError(error)
            }
            try LockStateJournal.replay(records, generation: generation, onto: &document, path: journal)
        }
        do {
            var engine = try Self.engine(from: document, random: random)
            engine.setTimeZoneRules(timeZoneRules)
            return engine
        } catch {
            // The content decoded but is not a valid lock: say which file.
            throw StateFileError(error.code, "\(path): \(error.reason)")
        }
    }

    /// Journals larger than this are refused before parsing (the lock folds its journal into a
    /// snapshot long before: ``LockStateJournal/compactionBytes``).
    public static let maxJournalBytes = 64 << 20

    /// Writes `engine`'s state atomically with mode 0600.
    public func save(_ engine: LockSessionEngine) throws(StateFileError) {
        try AtomicFile.write(try Self.encode(engine), to: path)
    }
}

/// Where a running lock makes its state durable: ``LockStateFile`` in production; tests inject
/// stores that fail, or that watch when a save happens relative to what a client received.
public protocol LockStateStore: Sendable {
    /// Makes `engine`'s state durable, all or nothing, before returning. Throws ``StateFileError``
    /// (`unwritable`) when it could not; the previous state is then what a restart loads.
    func save(_ engine: LockSessionEngine) throws(StateFileError)
    /// What the store has to report that did not fail a save (``LockStateJournal``: a snapshot
    /// that could not be written while its journal still could), oldest first; each once.
    func takeWarnings() -> [String]
}

extension LockStateStore {
    /// Nothing to report.
    public func takeWarnings() -> [String] { [] }
}

extension LockStateFile: LockStateStore {}

/// Why the state file could not be loaded or saved.
public struct StateFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The file could not be read.
        public static let unreadable = Code("unreadable")
        /// The file could not be written.
        public static let unwritable = Code("unwritable")
        /// The content is not a valid state (decoding or an invariant failed).
        public static let invalid = Code("invalid")
        /// Written by another schema version.
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// The file or its folder is refused before use: a symbolic link, FIFO, device, socket or
        /// folder as the file; owned by another user; a folder writable by others.
        public static let unsafe = Code("unsafe")
        /// Another process serves the same state file (the single-instance lock, ``StateFileLock``).
        public static let inUse = Code("inUse")
        public var description: String { name }
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A refusal of ``PrivateFiles``: `inUse` stays `inUse`, a failed system call is `unreadable`,
    /// the rest `unsafe`; the reason is its message.
    public init(_ error: PrivateFileError) {
        switch error.code {
        case .inUse: self.init(.inUse, error.message)
        case .system, .missing: self.init(.unreadable, error.message)
        default: self.init(.unsafe, error.message)
        }
    }

    public var description: String { "StateFileError.\(code): \(reason)" }
}
