/// Advanced Config (0x0037), lock → client, encrypted (28 to 33 bytes): total degrees u16 LE, then
/// ``AdvancedConfigSettings`` (26 to 31 bytes).
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Advanced Config", `docs/wire.md` §5.9.
public struct AdvancedConfig: NukiPayload {
    public static let command = Command.advancedConfig
    public var totalDegrees: UInt16
    public var settings: AdvancedConfigSettings

    public init(totalDegrees: UInt16, settings: AdvancedConfigSettings) {
        self.totalDegrees = totalDegrees
        self.settings = settings
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        totalDegrees = try r.readUInt16("total degrees")
        let optional = try r.optionalBytes(
            beforeTail: AdvancedConfigSettings.requiredByteCount,
            range: 0...(AdvancedConfigSettings.maximumByteCount - AdvancedConfigSettings.requiredByteCount))
        settings = try AdvancedConfigSettings(from: &r, optionalBytes: optional)
    }

    public func encode(to w: inout WireWriter) {
        w.write(totalDegrees)
        settings.encode(to: &w)
    }
}
