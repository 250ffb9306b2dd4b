import LockWire

/// Why the motor may not move until the lock is calibrated again.
///
/// A new lock before its first calibration is ``uncalibrated``; a run that ends in a blocked motor,
/// a clutch failure or a motor timeout leaves the bolt's position unknown. Either way every Lock
/// Action, Simple Lock Action and Keypad Action is refused with K_ERROR_NOT_CALIBRATED (0x47), auto
/// lock and time control skip their run, and only Request Calibration (0x001A), which ends the fault
/// when it completes, or a turn of the key moves the bolt.
/// Source: Nuki BLE API 2.1 §"Error codes" (0x42–0x47), §"Lock states" (0x00 uncalibrated, 0xFE
/// motor blocked, 0xFF undefined), `docs/attacks.md` case S-08.
public enum MotorFault: String, Hashable, Sendable, Codable, CaseIterable {
    /// Never calibrated (lock state 0x00).
    case uncalibrated
    /// The motor blocked during a run (K_ERROR_MOTOR_BLOCKED 0x42, lock state 0xFE).
    case motorBlocked
    /// The clutch failed during a run (K_ERROR_CLUTCH_FAILURE 0x43, lock state 0xFF).
    case clutchFailure
    /// The motor ran too long without blocking (K_ERROR_MOTOR_TIMEOUT 0x44, lock state 0xFF).
    case motorTimeout

    /// The Error Report a run's requester gets when the fault interrupts it.
    public var errorCode: NukiErrorCode {
        switch self {
        case .uncalibrated: return .notCalibrated
        case .motorBlocked: return .motorBlocked
        case .clutchFailure: return .clutchFailure
        case .motorTimeout: return .motorTimeout
        }
    }

    /// The completion status logged for a run the fault interrupts.
    public var completionStatus: CompletionStatus {
        switch self {
        case .uncalibrated: return .otherError
        case .motorBlocked: return .motorBlocked
        case .clutchFailure: return .clutchFailure
        case .motorTimeout: return .incomplete
        }
    }

    /// The lock state reported while the fault lasts.
    public var lockState: LockState {
        switch self {
        case .uncalibrated: return .uncalibrated
        case .motorBlocked: return .motorBlocked
        case .clutchFailure, .motorTimeout: return .undefined
        }
    }
}
