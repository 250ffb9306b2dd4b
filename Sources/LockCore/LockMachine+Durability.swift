import LockWire

extension LockMachine {
    /// Whether `self` differs from `other` in more than the Most Recent Command record (0x000F, the
    /// last command each authorization sent, ``mostRecentCommands``), which read-only commands
    /// (Request Config, Request Log Entries, Verify Security PIN …) update too.
    ///
    /// The runtime (`LockServer`) saves the state file for a turn only when this is true: a read
    /// then neither costs a save nor fails when the state file cannot be written (issue 17:
    /// "read-only and refused requests write nothing"; the lock keeps serving reads). The record
    /// is saved with the next real change; no acknowledgement promises it.
    public func changedBeyondMostRecentCommand(since other: LockMachine) -> Bool {
        var copy = self
        copy.mostRecentCommands = other.mostRecentCommands
        return copy != other
    }
}
