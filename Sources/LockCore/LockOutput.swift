import LockWire

/// What the lock core produces: replies addressed to an authorization's live session, and events
/// for the runtime (printed as JSON Lines by the emulator).
public enum LockOutput: Hashable, Sendable {
    /// A message for the session of `authID`, to be encrypted under its key.
    case reply(authID: UInt32, NukiMessage)
    case event(LockEvent)
}
