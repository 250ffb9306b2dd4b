// Codable forms of the wire value types, for persisted state (the lock's JSON state file) and
// JSON output. Decoding validates exactly as the wire decoders do: a state file is untrusted input,
// and a value that could not arrive on the wire cannot arrive from disk either.

extension DateTime: Codable {
    /// `"2026-03-02T09:00:00"` (UTC), or `""` for ``unset``.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = DateTime(iso8601: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid date-time: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isUnset ? "" : description)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` (the ``description`` form); `""` is ``unset``. Nil unless valid.
    public init?(iso8601 text: String) {
        if text.isEmpty {
            self = .unset
            return
        }
        let digits = Array(text.utf8)
        guard digits.count == 19, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"),
            digits[10] == UInt8(ascii: "T"), digits[13] == UInt8(ascii: ":"), digits[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digits[i]) else { return nil }
                value = value * 10 + Int(digits[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19),
            let year = UInt16(exactly: y), let month = UInt8(exactly: mo), let day = UInt8(exactly: d),
            let hour = UInt8(exactly: h), let minute = UInt8(exactly: mi), let second = UInt8(exactly: s)
        else { return nil }
        let value = DateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard value.isValid, !value.isUnset else { return nil }
        self = value
    }
}

extension TimeOfDay: Codable {
    /// `"09:30"`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let h = UInt8(parts[0]), let m = UInt8(parts[1]),
            TimeOfDay(hour: h, minute: m).isValid
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid time of day: \(text)"))
        }
        self.init(hour: h, minute: m)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Weekdays: Codable {
    /// The bitmask as a number (bit 6 Monday … bit 0 Sunday); bit 7 is refused.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(UInt8.self)
        guard raw & 0x80 == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "weekday bit 7 is unused"))
        }
        self.init(rawValue: raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension FixedName: Codable {
    private enum CodingKeys: String, CodingKey { case text, hex }

    /// `{"hex": raw bytes, "text": readable}`; decoding reads `hex` (20 or 32 bytes) and ignores `text`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let hex = try container.decode(String.self, forKey: .hex)
        guard let bytes = Hex.decode(hex), bytes.count == FixedName.nameWidth || bytes.count == FixedName.shortNameWidth else {
            throw DecodingError.dataCorruptedError(forKey: .hex, in: container, debugDescription: "a name is 20 or 32 bytes of hex")
        }
        self.init(rawBytes: bytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Hex.encode(bytes), forKey: .hex)
        try container.encode(text, forKey: .text)
    }
}

extension Bytes32: Codable {
    /// 64 hex digits.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Hex.decode(text).flatMap(Bytes32.init) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected 32 bytes of hex"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Hex.encode(bytes))
    }
}

extension LockUUID: Codable {
    /// 32 hex digits.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Hex.decode(text).flatMap(LockUUID.init) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected 16 bytes of hex"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Hex.encode(bytes))
    }
}

extension SecurityPIN: Codable {
    private enum CodingKeys: String, CodingKey { case width, value }

    /// `{"width": 2, "value": 1234}` (width in bytes: 2 or 4).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let value = try container.decode(UInt32.self, forKey: .value)
        switch try container.decode(Int.self, forKey: .width) {
        case 2:
            guard let short = UInt16(exactly: value) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "a u16 PIN above 65535")
            }
            self = .u16(short)
        case 4: self = .u32(value)
        default: throw DecodingError.dataCorruptedError(forKey: .width, in: container, debugDescription: "PIN width is 2 or 4")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(width.rawValue, forKey: .width)
        try container.encode(value, forKey: .value)
    }
}

