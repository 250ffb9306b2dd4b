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

    /// Parses `Y-MM-DDTHH:MM:SS` (the ``description`` form: the year has 1 to 5 digits, up to 65535,
    /// every other field 2); `""` is ``unset``. Nil unless the result is a valid date-time.
    public init?(iso8601 text: String) {
        if text.isEmpty {
            self = .unset
            return
        }
        let halves = text.split(separator: "T", omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let date = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        let time = halves[1].split(separator: ":", omittingEmptySubsequences: false)
        guard date.count == 3, time.count == 3, (1...5).contains(date[0].count),
            [date[1], date[2], time[0], time[1], time[2]].allSatisfy({ $0.count == 2 })
        else { return nil }
        func number(_ part: Substring) -> Int? {
            guard part.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(part)
        }
        guard let y = number(date[0]), let mo = number(date[1]), let d = number(date[2]), let h = number(time[0]),
            let mi = number(time[1]), let s = number(time[2]),
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

