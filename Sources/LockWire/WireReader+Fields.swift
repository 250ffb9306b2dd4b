// Field readers shared by the payload codecs: flags, challenge nonces and the security PIN.

extension WireReader {
    /// Reads a u8 flag that must be 0 or 1; any other value throws `badParameter`, so a decoded
    /// payload always re-encodes to the same bytes.
    public mutating func readBool(_ field: StaticString) throws(WireError) -> Bool {
        let raw = try readUInt8(field)
        guard raw <= 1 else {
            throw WireError(.badParameter, "\(context): \(field) is \(raw), expected 0 or 1")
        }
        return raw == 1
    }

    /// Checks that exactly `byteCount` bytes remain, before any field of a fixed layout is read, so a
    /// malformed message gets one error whatever its field values: `truncated` when fewer remain,
    /// `trailingBytes` when more (both answered 0xFE ERROR_BAD_LENGTH), never the `badParameter` of a
    /// field that happened to be read first (issue 18: one malformed message, one error).
    public func requireCount(_ byteCount: Int) throws(WireError) {
        guard count >= byteCount else {
            throw WireError(.truncated, "\(context): \(count) bytes, \(byteCount) needed")
        }
        guard count == byteCount else {
            throw WireError(.trailingBytes, "\(context): \(count - byteCount) unexpected trailing bytes after \(byteCount)")
        }
    }

    /// Reads the 32-byte challenge nonce nK that ends every EC and ECP command (`docs/wire.md` §4).
    public mutating func readChallenge() throws(WireError) -> Bytes32 {
        try readBytes32("challenge nonce")
    }

    /// Reads the challenge nonce then the security PIN of the context's width (ECP commands).
    public mutating func readChallengeAndPIN(_ context: WireContext) throws(WireError) -> (Bytes32, SecurityPIN) {
        let challenge = try readChallenge()
        let pin = try readSecurityPIN(context.securityPINWidth, "security PIN")
        return (challenge, pin)
    }

    /// For layouts with optional fields before a fixed tail of `tailBytes`: the number of optional
    /// bytes present, which must lie in `range`. Throws `truncated` below the range, `trailingBytes` above.
    public func optionalBytes(beforeTail tailBytes: Int, range: ClosedRange<Int>) throws(WireError) -> Int {
        let optional = count - tailBytes
        guard optional >= range.lowerBound else {
            throw WireError(.truncated, "\(context): \(count) bytes left, at least \(tailBytes + range.lowerBound) needed")
        }
        guard optional <= range.upperBound else {
            throw WireError(.trailingBytes, "\(context): \(optional - range.upperBound) unexpected bytes before the trailing fields")
        }
        return optional
    }

    /// Reads an optional trailing u8: nil when the payload ended before it.
    public mutating func readOptionalUInt8(_ field: StaticString) throws(WireError) -> UInt8? {
        isAtEnd ? nil : try readUInt8(field)
    }

    /// Reads an optional trailing flag: nil when the payload ended before it.
    public mutating func readOptionalBool(_ field: StaticString) throws(WireError) -> Bool? {
        isAtEnd ? nil : try readBool(field)
    }
}

extension WireReader {
    /// Reads a one-byte code and throws `badParameter` unless the API documents its value.
    public mutating func readDocumented<C: WireCode>(_ field: StaticString) throws(WireError) -> C where C.RawValue == UInt8 {
        let code = C(rawValue: try readUInt8(field))
        guard code.isDocumented else {
            throw WireError(.badParameter, "\(context): \(field) \(code) is not documented")
        }
        return code
    }
}

extension WireWriter {
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    public mutating func write<C: WireCode>(_ code: C) where C.RawValue == UInt8 { write(code.rawValue) }
    public mutating func write<C: WireCode>(_ code: C) where C.RawValue == UInt16 { write(code.rawValue) }

    /// Writes optional trailing fields up to the last present one; an absent field before a present
    /// one is written as 0 (layouts are positional, so it cannot be skipped).
    public mutating func writeTrailing(_ fields: [UInt8?]) {
        guard let last = fields.lastIndex(where: { $0 != nil }) else { return }
        for field in fields[...last] { write(field ?? 0) }
    }
}

extension Bool {
    /// 0 or 1, for ``WireWriter/writeTrailing(_:)``.
    var wireByte: UInt8 { self ? 1 : 0 }
}
