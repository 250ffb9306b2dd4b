import LockWire

/// What the lock core produces: replies addressed to an authorization's live session, and events
/// for the runtime (printed as JSON Lines by the emulator).
public enum LockOutput: Hashable, Sendable {
    /// A message for the session of `authID`, to be encrypted under its key.
    case reply(authID: UInt32, NukiMessage)
    case event(LockEvent)
}

/// Something that happened in the lock, for the event stream.
public enum LockEvent: Hashable, Sendable {
    /// The lock state changed (motor step, manual turn).
    case lockStateChanged(LockState, trigger: Trigger)
    /// A lock action finished; `authID` is nil for the button, the key or time control.
    case lockActionCompleted(LockAction, trigger: Trigger, authID: UInt32?, status: CompletionStatus)
    case pairingModeEntered(until: LockInstant)
    case pairingModeLeft
    case authorizationAdded(authID: UInt32, idType: IDType)
    /// The authorization is gone: its live sessions must be dropped at once.
    case authorizationRevoked(authID: UInt32)
    case securityPINChanged
    case clockSet(DateTime)
    case rebootRequested
}
