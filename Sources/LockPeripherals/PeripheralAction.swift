import LockCore
import LockSession
import LockWire
import NukiProfile

/// What an emulated peripheral asks its transport to do, or shows its user.
public enum PeripheralAction: Sendable {
    /// Write `bytes` to `characteristic` of the lock (a long write when longer than ATT_MTU − 3).
    case write(Characteristic, [UInt8])
    /// What the peripheral shows: LEDs and sounds on a real keypad or fob.
    case feedback(PeripheralFeedback)
    /// Read the NFC card in the reader's field with this challenge from the lock (SELECT, then
    /// AUTHENTICATE), and give the result to ``EmulatedPeripheral/cardRead(_:at:)``.
    case readCard(challenge: Bytes32)
}

/// Feedback of an emulated keypad or fob, for the event stream.
public enum PeripheralFeedback: Hashable, Sendable {
    /// Pairing finished with this authorization id.
    case paired(authID: UInt32)
    /// The lock completed the request (Status COMPLETE).
    case accepted(Command)
    /// The typed code is not on the lock (K_ERROR_CODE_INVALID).
    case wrongCode
    /// The lock refuses codes for a while (K_ERROR_CODE_INVALID_TIMEOUT_1/2/3); `remainingMilliseconds`
    /// is the keypad's own estimate from the tier's length.
    case lockedOut(NukiErrorCode, remainingMilliseconds: Int64)
    /// Any other refusal by the lock (time window, disabled, busy, not authorized…).
    case refused(NukiErrorCode)
    /// The peripheral's own battery fell below 20 % (reported once per drop).
    case lowBattery(percent: Int)
    /// Keys typed too slowly: the partial entry was discarded.
    case entryTimedOut(digits: Int)
    /// A request was not sent: another is in progress, or the peripheral is not paired.
    case ignored(reason: String)
    /// Pairing or a request failed (bad reply, authenticator mismatch, lock refused pairing).
    case failed(ClientError)
    /// The NFC card could not be read (taken away, transport failure); nothing was sent to the lock.
    case cardUnreadable(reason: String)
    /// The lock ACCEPTED the request but its Status COMPLETE never came: the peripheral read the
    /// state back (Request Data(Keyturner States), no new challenge, the action is not sent again)
    /// and `lockState` is what the lock did (``LockSession/ClientSessionEngine/tick(at:)``).
    case readBack(Command, lockState: LockState)
}

extension ClientSessionEngine.Action {
    /// Maps a client engine action to the peripheral's: writes pass through, a finished request
    /// becomes feedback.
    func peripheralActions(onRefusal map: (NukiErrorCode) -> PeripheralFeedback = { .refused($0) }) -> [PeripheralAction] {
        switch self {
        case .write(let characteristic, let bytes): return [.write(characteristic, bytes)]
        case .paired(let credentials): return [.feedback(.paired(authID: credentials.authID))]
        case .failed(let error): return [.feedback(.failed(error))]
        case .challengeReceived(_, let nonce): return [.readCard(challenge: nonce)]
        case .completed(let command, let messages):
            if case .errorReport(let report) = messages.last { return [.feedback(map(report.errorCode))] }
            return [.feedback(.accepted(command))]
        case .readBack(let command, let messages):
            guard case .keyturnerStates(let states) = messages.last else { return [] }
            return [.feedback(.readBack(command, lockState: states.lockState))]
        }
    }
}
