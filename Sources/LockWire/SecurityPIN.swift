/// The security (admin) PIN appended after the challenge nonce of every PIN-protected command: u16 LE on
/// Smart Lock 1.0–4th gen and Opener, u32 LE (6 digits) on Smart Lock Ultra. Which width a payload
/// carries is decided by the ``WireContext`` it is decoded in.
///
/// Source: Nuki BLE API 2.3.0 §"Security PIN Handling", `docs/wire.md` §3.5.
public enum SecurityPIN: Hashable, Sendable {
    /// Smart Lock 1.0–4th gen: u16, e.g. 1234 = `D2 04`.
    case u16(UInt16)
    /// Smart Lock Ultra: u32, e.g. 123456 = `40 E2 01 00`.
    case u32(UInt32)

    /// The width of the PIN field on the wire.
    public enum Width: Int, Hashable, Sendable, Codable {
        case u16 = 2
        case u32 = 4
    }

    public var width: Width {
        switch self {
        case .u16: return .u16
        case .u32: return .u32
        }
    }

    /// The PIN as a number.
    public var value: UInt32 {
        switch self {
        case .u16(let v): return UInt32(v)
        case .u32(let v): return v
        }
    }

    /// The little-endian wire bytes.
    public var bytes: [UInt8] {
        var w = WireWriter(capacity: 4)
        w.write(self)
        return w.bytes
    }
}

extension SecurityPIN.Width {
    /// Decimal digits of the PINs this width carries: 4 in a u16 (Smart Lock 1.0–4th gen, Go 4.x),
    /// 6 in a u32 (Smart Lock Ultra, Go 5.x). Source: Nuki BLE API 2.3.0 §"Security PIN Handling",
    /// `docs/wire.md` §3.5.
    public var digits: Int { self == .u32 ? 6 : 4 }
    /// The largest PIN of this width: 9999 or 999999 (a u16 holds 10000–65535, but no such PIN).
    public var maximum: UInt32 { self == .u32 ? 999_999 : 9_999 }
}

extension SecurityPIN {
    /// `value` as a PIN of `width`; nil when it is above the width's ``Width/maximum``.
    public init?(_ value: UInt32, width: Width) {
        guard value <= width.maximum else { return nil }
        switch width {
        case .u16:
            guard let narrow = UInt16(exactly: value) else { return nil }
            self = .u16(narrow)
        case .u32:
            self = .u32(value)
        }
    }
}

extension WireReader {
    public mutating func readSecurityPIN(_ width: SecurityPIN.Width, _ field: StaticString) throws(WireError) -> SecurityPIN {
        switch width {
        case .u16: return .u16(try readUInt16(field))
        case .u32: return .u32(try readUInt32(field))
        }
    }
}

extension WireWriter {
    public mutating func write(_ value: SecurityPIN) {
        switch value {
        case .u16(let v): write(v)
        case .u32(let v): write(v)
        }
    }
}
