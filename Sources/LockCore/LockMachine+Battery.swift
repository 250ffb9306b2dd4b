import LockWire

extension LockMachine {
    /// Battery level in whole percent (``batteryMilliPercent`` / 1000). Setting it (a battery
    /// change, a fixture) clamps to 0…100 and re-arms the "below 20 %" notification when ≥ 20 %.
    public var batteryPercent: Int {
        get { batteryMilliPercent / 1000 }
        set {
            batteryMilliPercent = min(max(newValue, 0), 100) * 1000
            if batteryMilliPercent >= BatteryModel.criticalBelowMilliPercent { batteryCriticalNotified = false }
        }
    }

    /// Whether the battery is critical (below 20 %).
    public var isBatteryCritical: Bool { batteryMilliPercent < BatteryModel.criticalBelowMilliPercent }

    /// Byte 12 of Keyturner States: bit 0 critical (below 20 %); from API 2.2 (21-byte layout) on also
    /// bits 2–7 percent / 2 (Nuki BLE API 2.2 §"Keyturner States", `docs/wire.md` §5.5).
    public var criticalBatteryState: CriticalBatteryState {
        guard model.keyturnerStatesLength >= 21 else { return CriticalBatteryState(rawValue: isBatteryCritical ? 0x01 : 0x00) }
        return CriticalBatteryState(critical: isBatteryCritical, charging: false, percent: batteryPercent)
    }

    /// Battery Report (0x0011): drain of the last motor action (100 mWs per milli-percent, see
    /// ``BatteryModel``), a voltage from the level (4 × 1.1 V empty to 4 × 1.4 V full), the
    /// critical flag and the last lock action (Nuki BLE API 2.1 §"Battery Report", `docs/wire.md` §5.6).
    public func batteryReport() -> BatteryReport {
        let millivolts = UInt16(clamping: 4_400 + batteryMilliPercent * 12 / 1000)
        let drain = UInt16(clamping: lastActionDrainMilliPercent * BatteryModel.milliwattSecondsPerMilliPercent)
        return BatteryReport(
            batteryDrain: drain, batteryVoltage: millivolts, criticalBatteryState: isBatteryCritical,
            lockAction: lastLockAction ?? LockAction(rawValue: 0), startVoltage: millivolts, lowestVoltage: millivolts,
            lockDistance: 0, startTemperature: 20, maxTurnCurrent: 0, batteryResistance: 0)
    }

    /// Takes `milliPercent` from the battery: a level event when the whole percent changes, and the
    /// notification the first time it drops below 20 %.
    mutating func drainBattery(milliPercent: Int) -> [LockOutput] {
        guard milliPercent > 0 else { return [] }
        let before = batteryPercent
        batteryMilliPercent = max(0, batteryMilliPercent - min(milliPercent, BatteryModel.full))
        var outputs: [LockOutput] = []
        if batteryPercent != before { outputs.append(.event(.batteryLevelChanged(percent: batteryPercent))) }
        if isBatteryCritical, !batteryCriticalNotified {
            batteryCriticalNotified = true
            outputs.append(.event(.batteryCritical(percent: batteryPercent)))
        }
        return outputs
    }

    /// Applies the idle drain from ``batteryAccountedAt`` to `now` in whole milli-percent steps
    /// (the remainder carries over, so the result does not depend on how time is sliced).
    mutating func drainIdle(to now: LockInstant) -> [LockOutput] {
        guard let since = batteryAccountedAt else {
            batteryAccountedAt = now
            return []
        }
        let elapsed = now.milliseconds(since: since)
        guard elapsed >= BatteryModel.idleMillisecondsPerMilliPercent else { return [] }
        let steps = elapsed / BatteryModel.idleMillisecondsPerMilliPercent
        batteryAccountedAt = since.adding(milliseconds: steps * BatteryModel.idleMillisecondsPerMilliPercent)
        return drainBattery(milliPercent: Int(clamping: steps))
    }

    /// Recomputes the ring light; an event when the pattern changed.
    mutating func updateRingLight() -> [LockOutput] {
        let pattern = RingLight.pattern(lockState: lockState, batteryCritical: isBatteryCritical, ledEnabled: settings.ledEnabled)
        guard pattern != ringLight else { return [] }
        ringLight = pattern
        return [.event(.ringLightChanged(pattern))]
    }

    // MARK: Reports

    /// Keyturner States in the model's length; byte 14 counts the seconds left while lock'n'go holds.
    public func keyturnerStates(at now: LockInstant) -> KeyturnerStates {
        var states = KeyturnerStates(
            nukiState: isPairingMode(at: now) ? .pairingMode : nukiState, lockState: lockState, trigger: lockTrigger,
            currentTime: lockTime(at: now)?.utcDateTime ?? .unset, timezoneOffsetMinutes: settings.timezoneOffsetMinutes,
            criticalBatteryState: criticalBatteryState,
            configUpdateCount: configUpdateCount, lockNGoTimer: lockNGoSecondsLeft(at: now) ?? lockNGoTimer)
        let length = model.keyturnerStatesLength
        if length > 15 { states.lastLockAction = lastLockAction ?? LockAction(rawValue: 0) }
        if length > 16 { states.lastLockActionTrigger = lastLockActionTrigger ?? .system }
        if length > 17 { states.lastLockActionCompletionStatus = lastLockActionCompletion ?? .success }
        if length > 18 { states.doorSensorState = doorSensorState }
        if length > 19 { states.nightmodeActive = isNightmodeActive(at: now) }
        if length > 20 { states.accessoryBatteryState = 0 }
        if length > 21 { states.remoteAccessStatus = authorizations.contains { $0.idType == .bridge } ? 0x02 : 0 }
        if length > 22 { states.bleConnectionStrength = 0 }
        if length > 23 { states.wifiConnectionStrength = 0 }
        if length > 24 { states.wifiStatus = 0 }
        if length > 25 { states.mqttStatus = 0 }
        if length > 26 { states.threadStatus = 0 }
        return states
    }

    /// Seconds (rounded up) until a holding lock'n'go locks, nil when none holds.
    func lockNGoSecondsLeft(at now: LockInstant) -> UInt8? {
        guard let m = motion, lockState == .unlockedLockNGo else { return nil }
        let left = m.nextStepAt.milliseconds(since: now)
        return UInt8(clamping: max(0, (left + 999) / 1000))
    }
}
