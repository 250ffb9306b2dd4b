import LockWire
import Testing

/// Reader bounds, names, hex and the vocabulary's spec names.
@Suite struct PrimitiveTests {
    @Test func readerIsLittleEndianAndBounded() throws {
        var r = WireReader([0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xFF], context: "test")
        #expect(try r.readUInt16("a") == 0x1234)
        #expect(try r.readUInt32("b") == 0x1234_5678)
        #expect(try r.readInt8("c") == -1)
        let error = wireError { () throws(WireError) in try r.readUInt8("d") }
        #expect(error?.code == .truncated)
        #expect(error?.reason.contains("d needs 1 byte") == true)
    }

    @Test func readerChecksLengthsAgainstLimits() {
        let r = WireReader([], context: "test")
        #expect(wireError { () throws(WireError) in try r.checkedLength(UInt32.max, limit: 100, "len") }?.code == .lengthOutOfRange)
        #expect(wireError { () throws(WireError) in try r.checkedLength(-1, limit: 100, "len") }?.code == .lengthOutOfRange)
        #expect((try? r.checkedLength(UInt16(100), limit: 100, "len")) == 100)
        var r2 = WireReader([1, 2], context: "test")
        #expect(wireError { () throws(WireError) in try r2.readBytes(-1, "x") }?.code == .lengthOutOfRange)
        #expect(wireError { () throws(WireError) in try r2.readBytes(3, "x") }?.code == .truncated)
        #expect(wireError { () throws(WireError) in try r2.finish() }?.code == .trailingBytes)
    }

    @Test func writerIsLittleEndian() {
        var w = WireWriter()
        w.write(UInt16(0xA727))
        w.write(UInt32(2))
        w.write(Int16(-2))
        w.write(Float(1.0))
        #expect(w.bytes == [0x27, 0xA7, 2, 0, 0, 0, 0xFE, 0xFF, 0x00, 0x00, 0x80, 0x3F])
    }

    @Test func namesNeverOverflowAndCutAtScalarBoundaries() {
        let long = FixedName(String(repeating: "ä", count: 40), width: 32)
        #expect(long.bytes.count == 32)
        #expect(long.text == String(repeating: "ä", count: 16))
        let emoji = FixedName("🔑🔑🔑🔑🔑🔑", width: 20)  // 4 bytes each: five fit
        #expect(emoji.bytes.count == 20)
        #expect(emoji.text == "🔑🔑🔑🔑🔑")
        let odd = FixedName("abc🔑", width: 6)
        #expect(odd.bytes == [0x61, 0x62, 0x63, 0, 0, 0])
        #expect(FixedName("Marc (Test)", width: 32).isWellFormed)
    }

    @Test func malformedNamesAreFlagged() {
        #expect(!FixedName(rawBytes: [0xC3, 0x28] + [UInt8](repeating: 0, count: 18)).isWellFormed)
        #expect(!FixedName(rawBytes: [0x41, 0x00, 0x42] + [UInt8](repeating: 0, count: 17)).isWellFormed)
        #expect(FixedName(rawBytes: [0x41, 0x00, 0x42] + [UInt8](repeating: 0, count: 17)).text == "A")
        #expect(FixedName(rawBytes: [0xFF, 0x41] + [UInt8](repeating: 0, count: 18)).text == "\u{FFFD}A")
    }

    @Test func hexRoundTripsAndRejectsJunk() {
        #expect(Hex.decode("01 00 03 00\n27a7") == [0x01, 0x00, 0x03, 0x00, 0x27, 0xA7])
        #expect(Hex.encode([0x0E, 0x00, 0x9D]) == "0E009D")
        #expect(Hex.decode("ABC") == nil)
        #expect(Hex.decode("0G") == nil)
    }

    @Test func vocabularyCarriesSpecNames() {
        #expect(Command.lockAction.description == "LOCK_ACTION(0x000D)")
        #expect(Command(rawValue: 0x0029).description == "0x0029")
        #expect(NukiErrorCode.badNonce.name == "K_ERROR_BAD_NONCE")
        #expect(NukiErrorCode.documented.count == 38)
        #expect(LockAction.fobAction3.rawValue == 0x83)
        #expect(IDType.keypad.rawValue == 3 && IDType.fob.rawValue == 2)
        #expect(TimeZoneID(tzName: "Europe/Berlin")?.rawValue == 37)
        #expect(TimeZoneID(rawValue: 45).name == "Pacific/Pago_Pago")
        #expect(CompletionStatus.invalidCode.rawValue == 0xE0)
        #expect(LogEntryType.keypadAction.rawValue == 0x05)
    }

    @Test func wireErrorCodesMapToNukiErrorCodes() {
        let expected: [(WireError.Code, UInt8)] = [
            (.truncated, 0xFE), (.trailingBytes, 0xFE), (.lengthOutOfRange, 0xFE), (.reassemblyLimit, 0xFE),
            (.badCRC, 0xFD), (.badParameter, 0x23), (.unknownCommand, 0xFF), (.unexpectedCommand, 0xFF),
            (.notAuthorized, 0x20),
        ]
        for (code, raw) in expected {
            #expect(code.nukiErrorCode.rawValue == raw, "\(code)")
        }
    }

    @Test func securityPINWidths() {
        #expect(SecurityPIN.u32(123_456).bytes == [0x40, 0xE2, 0x01, 0x00])
        #expect(SecurityPIN.u16(1234).bytes == [0xD2, 0x04])
    }

    /// A number as a PIN of a width: 4 digits in a u16, 6 in a u32 (docs/wire.md §3.5).
    @Test func securityPINFromANumberAndAWidth() {
        #expect(SecurityPIN.Width.u16.digits == 4 && SecurityPIN.Width.u16.maximum == 9_999)
        #expect(SecurityPIN.Width.u32.digits == 6 && SecurityPIN.Width.u32.maximum == 999_999)
        #expect(SecurityPIN(1234, width: .u16) == .u16(1234))
        #expect(SecurityPIN(9_999, width: .u16) == .u16(9_999))
        #expect(SecurityPIN(10_000, width: .u16) == nil)  // fits the u16 field, but no 4-digit PIN
        #expect(SecurityPIN(123_456, width: .u16) == nil)
        #expect(SecurityPIN(123_456, width: .u32)?.bytes == [0x40, 0xE2, 0x01, 0x00])
        #expect(SecurityPIN(0, width: .u32) == .u32(0))
        #expect(SecurityPIN(1_000_000, width: .u32) == nil)
    }
}

/// Found by the stateful fuzz target: years past 9999 (the wire allows up to 65535) must survive the
/// state file's text form.
@Suite struct DateTimeTextTests {
    @Test(arguments: [
        DateTime(year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0),
        DateTime(year: 2026, month: 3, day: 29, hour: 1, minute: 0, second: 0),
        DateTime(year: 11_777, month: 1, day: 1, hour: 1, minute: 1, second: 1),
        DateTime(year: 65_535, month: 12, day: 31, hour: 23, minute: 59, second: 59),
        DateTime.unset,
    ])
    func textFormRoundTrips(value: DateTime) {
        #expect(DateTime(iso8601: value.isUnset ? "" : value.description) == value)
    }

    @Test(arguments: ["65536-01-01T00:00:00", "2026-13-01T00:00:00", "2026-1-01T00:00:00", "2026-01-01 00:00:00", "-01-01T00:00:00", "x026-01-01T00:00:00", "202600-01-01T00:00:00"])
    func malformedTextIsRefused(text: String) {
        #expect(DateTime(iso8601: text) == nil)
    }
}
