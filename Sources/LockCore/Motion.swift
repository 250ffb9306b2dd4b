import LockWire

/// A motor run in progress: the lock states it passes through, one per step, and how long the
/// motor rests in each (lock'n'go holds, unlatch duration).
struct Motion: Hashable, Sendable, Codable {
    var action: LockAction
    var trigger: Trigger
    /// The authorization whose session gets the state updates and COMPLETE; nil for the button,
    /// time control and auto lock.
    var requester: UInt32?
    /// The command that started the run, named in an Error Report when it is canceled.
    var command: Command
    var steps: [LockState]
    /// Milliseconds from reaching `steps[i]` to the next step (same count as `steps`).
    var holdMilliseconds: [Int64]
    var nextStep: Int
    var nextStepAt: LockInstant
    /// How the finished action is logged.
    var logEvent: LogKind
    /// The log entry's name when the request carried a Lock Action name suffix: the requester's
    /// authorization name followed by the suffix (``LockMachine/logName(_:suffix:)``). Nil: the
    /// authorization's name. Optional so runs persisted before it decode unchanged.
    var logName: FixedName? = nil
    /// True once Status COMPLETE went to the requester before the run ended (lock'n'go: after the
    /// unlock phase, ``LockMachine/stepMotor(at:)``); the end of the run then sends nothing more than
    /// its Keyturner States. Optional so runs persisted before it decode unchanged.
    var completeSent: Bool? = nil

    enum LogKind: Hashable, Sendable, Codable {
        /// Log type 0x02 with the request's flags.
        case lockAction(flags: UInt8)
        /// Log type 0x05 for a keypad code.
        case keypad(source: KeypadActionSource, codeID: UInt16)
        /// Log type 0x03, a calibration run.
        case calibration
    }

    /// The lock states an action passes through, from the current one (Nuki BLE API 2.1 §"Lock
    /// States"; `docs/wire.md` §5.3, real-lock variant with 0x06 and 0x07).
    static func steps(for action: LockAction) -> [LockState] {
        switch action {
        case .unlock: return [.unlocking, .unlocked]
        case .lock, .fullLock: return [.locking, .locked]
        case .unlatch: return [.unlatching, .unlatched, .unlocked]
        case .lockNGo: return [.unlocking, .unlockedLockNGo, .locking, .locked]
        case .lockNGoWithUnlatch: return [.unlatching, .unlatched, .unlockedLockNGo, .locking, .locked]
        default: return []
        }
    }
}
