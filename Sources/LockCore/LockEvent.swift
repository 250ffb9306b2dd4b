import LockWire

/// Something that happened in the lock, for the event stream (JSON Lines in the emulator).
///
/// ``invitedAuthorizationKey(authID:sharedKey:)`` carries a secret: its ``description``,
/// ``debugDescription`` and mirror never show the key, and the session must take it out of the
/// stream (see the case). Source: Nuki BLE API 2.1 (states, actions, triggers, notifications),
/// `docs/wire.md` §3.6, §5, §6.
public enum LockEvent: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The lock state changed (motor step, manual turn).
    case lockStateChanged(LockState, trigger: Trigger)
    /// A motor action started; `authID` is nil for time control and auto lock.
    case lockActionStarted(LockAction, trigger: Trigger, authID: UInt32?)
    /// A lock action finished (success, or canceled by a manual turn); `authID` is nil for the
    /// button, the key, time control and auto lock.
    case lockActionCompleted(LockAction, trigger: Trigger, authID: UInt32?, status: CompletionStatus)
    /// An automatic action (time control, auto lock) could not run, e.g. the motor was busy.
    case lockActionSkipped(LockAction, trigger: Trigger, status: CompletionStatus)
    /// A time control entry fired at its scheduled minute (Nuki BLE API 2.1 §"Time Control", `docs/wire.md` §5.10).
    case timeControlFired(entryID: UInt8, LockAction)
    /// Request Calibration (0x001A) started the calibration run (lock state 0xFC).
    case calibrationStarted(authID: UInt32)
    /// The calibration run ended.
    case calibrationCompleted(authID: UInt32?, status: CompletionStatus)
    case pairingModeEntered(until: LockInstant)
    case pairingModeLeft
    case authorizationAdded(authID: UInt32, idType: IDType)
    /// Update Authorization Entry (0x0025) rewrote an authorization.
    case authorizationUpdated(authID: UInt32)
    /// The authorization is gone: its live sessions must be dropped at once.
    case authorizationRevoked(authID: UInt32)
    /// Authorization Data (Invite) (0x000B) created `authID` with the inviter's shared key.
    ///
    /// The session must move `sharedKey` into its key store (wiping storage) under `authID`, so the
    /// invitee can talk on USDIO at once, and must NOT forward this event to the event stream or a
    /// log (forward ``authorizationAdded(authID:idType:)``, which accompanies it).
    case invitedAuthorizationKey(authID: UInt32, sharedKey: Bytes32)
    case securityPINChanged
    case clockSet(DateTime)
    case rebootRequested
    /// Set Config (0x0013) changed the settings; `updateCount` is the new Keyturner States byte 13.
    case configChanged(updateCount: UInt8)
    /// Set Advanced Config (0x0035) changed the advanced settings.
    case advancedConfigChanged(updateCount: UInt8)
    /// A time control entry was added, updated or removed.
    case timeControlChanged(entryID: UInt8)
    /// The battery level (whole percent) changed.
    case batteryLevelChanged(percent: Int)
    /// Notification: the battery level dropped below 20 % (sent once per drop).
    case batteryCritical(percent: Int)
    /// The ring light shows another pattern.
    case ringLightChanged(RingLight)
    /// The door sensor saw the door open or close (a simulated door, `latchkey lock door`).
    case doorSensorChanged(DoorSensorState)

    public var description: String {
        switch self {
        case .lockStateChanged(let state, let trigger): return "lockStateChanged(\(state), trigger: \(trigger))"
        case .lockActionStarted(let action, let trigger, let authID):
            return "lockActionStarted(\(action), trigger: \(trigger), authID: \(authID.map(String.init) ?? "none"))"
        case .lockActionCompleted(let action, let trigger, let authID, let status):
            return "lockActionCompleted(\(action), trigger: \(trigger), authID: \(authID.map(String.init) ?? "none"), status: \(status))"
        case .lockActionSkipped(let action, let trigger, let status): return "lockActionSkipped(\(action), trigger: \(trigger), status: \(status))"
        case .timeControlFired(let entryID, let action): return "timeControlFired(entryID: \(entryID), \(action))"
        case .calibrationStarted(let authID): return "calibrationStarted(authID: \(authID))"
        case .calibrationCompleted(let authID, let status):
            return "calibrationCompleted(authID: \(authID.map(String.init) ?? "none"), status: \(status))"
        case .pairingModeEntered(let until): return "pairingModeEntered(until: \(until))"
        case .pairingModeLeft: return "pairingModeLeft"
        case .authorizationAdded(let authID, let idType): return "authorizationAdded(authID: \(authID), idType: \(idType))"
        case .authorizationUpdated(let authID): return "authorizationUpdated(authID: \(authID))"
        case .authorizationRevoked(let authID): return "authorizationRevoked(authID: \(authID))"
        case .invitedAuthorizationKey(let authID, _): return "invitedAuthorizationKey(authID: \(authID), sharedKey: <redacted>)"
        case .securityPINChanged: return "securityPINChanged"
        case .clockSet(let time): return "clockSet(\(time))"
        case .rebootRequested: return "rebootRequested"
        case .configChanged(let count): return "configChanged(updateCount: \(count))"
        case .advancedConfigChanged(let count): return "advancedConfigChanged(updateCount: \(count))"
        case .timeControlChanged(let entryID): return "timeControlChanged(entryID: \(entryID))"
        case .batteryLevelChanged(let percent): return "batteryLevelChanged(percent: \(percent))"
        case .batteryCritical(let percent): return "batteryCritical(percent: \(percent))"
        case .ringLightChanged(let light): return "ringLightChanged(\(light))"
        case .doorSensorChanged(let state): return "doorSensorChanged(\(state))"
        }
    }

    public var debugDescription: String { description }

    /// A mirror without the payload, so `dump` cannot print a shared key.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
