import LockWire

extension LockMachine {
    /// Simulates the battery at `percent` (a long use, a battery change): a fall drains through the
    /// normal path, so the first drop below 20 % raises ``LockEvent/batteryCritical(percent:)`` and
    /// the ring light changes; a rise is a battery change and re-arms the alert.
    public mutating func simulateBattery(percent: Int, at now: LockInstant) -> [LockOutput] {
        let target = min(max(percent, 0), 100) * 1000
        var outputs = drainIdle(to: now)
        if target < batteryMilliPercent {
            outputs += drainBattery(milliPercent: batteryMilliPercent - target)
        } else {
            batteryPercent = percent
        }
        return outputs + updateRingLight()
    }

    /// Simulates the door sensor seeing the door open or closed: Keyturner States' door sensor
    /// state (byte 18, `docs/wire.md` §5.5) becomes DOOR_OPENED (0x03) or DOOR_CLOSED (0x02). No
    /// event when nothing changed, nor on a model without a door sensor
    /// (``LockModel/hasDoorSensor``: Smart Lock 1.0), whose byte 18 stays 0x00 (unavailable).
    public mutating func simulateDoor(open: Bool, at now: LockInstant) -> [LockOutput] {
        var outputs = advance(to: now)
        guard model.hasDoorSensor else { return outputs }
        let state: DoorSensorState = open ? .opened : .closed
        guard doorSensorState != state else { return outputs }
        doorSensorState = state
        outputs.append(.event(.doorSensorChanged(state)))
        return outputs
    }

    /// Simulates a motor fault (a blocked motor, a failed clutch, a motor timeout) or a lock that
    /// was never calibrated: a run in progress ends with the fault's completion status, its requester
    /// gets the fault's Error Report (K_ERROR_MOTOR_BLOCKED 0x42, K_ERROR_CLUTCH_FAILURE 0x43,
    /// K_ERROR_MOTOR_TIMEOUT 0x44; K_ERROR_NOT_CALIBRATED 0x47), the lock state becomes the fault's
    /// (0xFE, 0xFF, 0x00) and auto lock is off until Request Calibration completes (``MotorFault``).
    public mutating func simulateMotorFault(_ fault: MotorFault, at now: LockInstant) -> [LockOutput] {
        var outputs = advance(to: now)
        if let running = motion {
            lastLockAction = running.action
            lastLockActionTrigger = running.trigger
            lastLockActionCompletion = fault.completionStatus
            outputs += finishMotion(running, status: fault.completionStatus, error: fault.errorCode, at: now)
        }
        motorFault = fault
        autoLockAt = nil
        lockState = fault.lockState
        lockTrigger = .system
        outputs.append(.event(.lockStateChanged(fault.lockState, trigger: .system)))
        return outputs + updateRingLight()
    }
}
