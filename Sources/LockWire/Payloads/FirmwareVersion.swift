/// The 3-byte firmware version of Config (major, minor, patch; e.g. `02 00 00` = 2.0.0).
///
/// Source: Nuki BLE API 2.1 §"Config", `docs/wire.md` §5.8.
public struct FirmwareVersion: Hashable, Sendable, Codable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8
    public var patch: UInt8

    public init(major: UInt8, minor: UInt8, patch: UInt8) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}

/// The 2-byte hardware revision of Config (major, minor; [SIM] reports 2.5).
///
/// Source: Nuki BLE API 2.1 §"Config", `docs/wire.md` §1.1 and §5.8.
public struct HardwareRevision: Hashable, Sendable, Codable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    public var description: String { "\(major).\(minor)" }
}

extension WireReader {
    /// Reads a latitude or longitude (float32 LE); NaN or infinity throws `badParameter`.
    mutating func readCoordinate(_ field: StaticString) throws(WireError) -> Float {
        let value = try readFloat32(field)
        guard value.isFinite else {
            throw WireError(.badParameter, "\(context): \(field) is not a finite number")
        }
        return value
    }
}
