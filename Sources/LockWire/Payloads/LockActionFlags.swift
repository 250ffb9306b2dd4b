/// The flags byte of Lock Action (0x000D): bit 0 auto unlock (geofence), bit 1 force; the other bits
/// are reserved and decoding a set reserved bit throws `badParameter`.
///
/// Source: Nuki BLE API 2.1 §"Lock Action", `docs/wire.md` §5.3.
public struct LockActionFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// AU: the action comes from auto unlock; may be refused with K_ERROR_AUTO_UNLOCK_TOO_RECENT.
    public static let autoUnlock = LockActionFlags(rawValue: 0x01)
    /// FO: force.
    public static let force = LockActionFlags(rawValue: 0x02)
    public static let defined: LockActionFlags = [.autoUnlock, .force]

    /// `[autoUnlock, force]`, raw hex for reserved bits.
    public var description: String {
        var names: [String] = []
        if contains(.autoUnlock) { names.append("autoUnlock") }
        if contains(.force) { names.append("force") }
        let reserved = rawValue & ~LockActionFlags.defined.rawValue
        if reserved != 0 { names.append("0x" + String(reserved, radix: 16)) }
        return "[" + names.joined(separator: ", ") + "]"
    }
}
