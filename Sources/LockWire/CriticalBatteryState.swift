/// Byte 12 of Keyturner States: bit 0 battery critical, bit 1 charging, bits 2–7 battery percent / 2.
///
/// Source: Nuki BLE API 2.2 §"Keyturner States" (bits 1–7), pyNukiBT and NukiBleEsp32 (percentage);
/// `docs/wire.md` §5.5.
public struct CriticalBatteryState: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Builds the byte; `percent` is rounded down to an even value and capped at 126.
    public init(critical: Bool, charging: Bool, percent: Int) {
        let half = UInt8(clamping: max(0, min(percent, 126)) / 2)
        rawValue = half << 2 | (charging ? 0x02 : 0) | (critical ? 0x01 : 0)
    }

    public var isCritical: Bool { rawValue & 0x01 != 0 }
    public var isCharging: Bool { rawValue & 0x02 != 0 }
    /// Battery level in percent (even values 0–126; real locks report 0–100).
    public var percent: Int { Int(rawValue >> 2) * 2 }
}
