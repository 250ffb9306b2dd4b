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
}
