import LockWire

extension LockMachine {
    /// The parts of the lock's state that grow with use (one element per paired device, one per
    /// log entry), split off so that a journal can store what changed instead of everything
    /// (``LockSession``'s `LockStateJournal`).
    public struct Collections: Hashable, Sendable {
        /// Sorted by auth id.
        public var authorizations: [Authorization]
        /// Oldest first, at most ``LockLog/capacity``.
        public var logEntries: [LogEntry]

        public init(authorizations: [Authorization], logEntries: [LogEntry]) {
            self.authorizations = authorizations
            self.logEntries = logEntries
        }
    }

    /// This machine without its authorizations and log entries (everything else, a few KiB at
    /// most), and those two collections.
    public func splitCollections() -> (core: LockMachine, collections: Collections) {
        var core = self
        core.authorizations = []
        core.log.entries = []
        return (core, Collections(authorizations: authorizations, logEntries: log.entries))
    }

    /// Puts collections back into a core made by ``splitCollections()``: authorizations sorted by
    /// auth id (one per id, the last given wins), the log trimmed to its capacity (oldest dropped).
    /// Run ``validate()`` on the result before trusting it.
    public mutating func restoreCollections(_ collections: Collections) {
        var byID: [UInt32: Authorization] = [:]
        for authorization in collections.authorizations { byID[authorization.authID] = authorization }
        authorizations = byID.values.sorted { $0.authID < $1.authID }
        let entries = collections.logEntries
        log.entries = entries.count > log.capacity ? Array(entries.suffix(max(0, log.capacity))) : entries
    }
}
