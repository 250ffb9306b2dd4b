import LockWire
import Testing

/// Out-of-range values are rejected with BAD_PARAMETER, never defaulted (security case P-09).
@Suite struct ValueValidationTests {
    static func lockAction(_ action: UInt8, flags: UInt8 = 0) -> [UInt8] {
        [action, 0, 0, 0, 0, flags] + [UInt8](repeating: 0xAA, count: 32)
    }

    @Test(arguments: [0x00, 0x07, 0x50, 0x5A, 0x80, 0x84, 0xFF] as [UInt8])
    func lockActionsThatCannotBeRequestedAreBadParameter(action: UInt8) {
        let error = wireError { () throws(WireError) in try LockActionRequest(payload: Self.lockAction(action)) }
        #expect(error?.code == .badParameter)
        #expect(error?.code.nukiErrorCode == .badParameter)
        #expect(error?.code.nukiErrorCode.rawValue == 0x23)
    }

    @Test(arguments: [0x01, 0x06, 0x81, 0x83] as [UInt8])
    func requestableLockActionsDecode(action: UInt8) throws {
        #expect(try LockActionRequest(payload: Self.lockAction(action)).action.rawValue == action)
    }

    @Test func reservedLockActionFlagIsBadParameter() {
        #expect(wireError { () throws(WireError) in try LockActionRequest(payload: Self.lockAction(1, flags: 0x04)) }?.code == .badParameter)
    }

    static let badDates: [[UInt8]] = [
        [0xEA, 0x07, 13, 1, 0, 0, 0],  // month 13
        [0xEA, 0x07, 2, 29, 0, 0, 0],  // 2026-02-29
        [0xEA, 0x07, 4, 31, 0, 0, 0],  // April 31
        [0xEA, 0x07, 1, 1, 25, 0, 0],  // hour 25
        [0xEA, 0x07, 1, 1, 0, 60, 0],  // minute 60
        [0xEA, 0x07, 1, 1, 0, 0, 60],  // second 60
        [0x00, 0x00, 1, 1, 0, 0, 0],  // year 0
        [0xEA, 0x07, 0, 1, 0, 0, 0],  // month 0
    ]

    @Test(arguments: badDates)
    func invalidDateTimesAreBadParameter(date: [UInt8]) {
        var reader = WireReader(date, context: "test")
        let error = wireError { () throws(WireError) in try reader.readDateTime("date") }
        #expect(error?.code == .badParameter)
    }

    @Test func leapDayAndUnsetDateDecode() throws {
        var reader = WireReader([0xE8, 0x07, 2, 29, 23, 59, 59] + [UInt8](repeating: 0, count: 7), context: "test")
        #expect(try reader.readDateTime("a") == DateTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59))
        #expect(try reader.readDateTime("b").isUnset)
    }

    @Test func weekdayBit7IsBadParameter() {
        var reader = WireReader([0x80], context: "test")
        #expect(wireError { () throws(WireError) in try reader.readWeekdays("weekdays") }?.code == .badParameter)
    }

    @Test func weekdayMaskFollowsTheSpecBitOrder() {
        let mondayOnly = Weekdays(rawValue: 0x40)
        #expect(mondayOnly.allows(isoWeekday: 1))
        #expect(!mondayOnly.allows(isoWeekday: 2))
        #expect(Weekdays(rawValue: 0x01).allows(isoWeekday: 7))
        #expect(Weekdays([]).allows(isoWeekday: 3))
        #expect(!Weekdays.all.allows(isoWeekday: 0))
    }

    @Test func timeOfDayOutOfRangeIsBadParameter() {
        var reader = WireReader([24, 0], context: "test")
        #expect(wireError { () throws(WireError) in try reader.readTimeOfDay("t") }?.code == .badParameter)
    }

    @Test func flagOtherThanZeroOrOneIsBadParameter() {
        var bytes = Samples.all.compactMap { sample -> [UInt8]? in
            if case .enableLogging(let p) = sample.message { return p.encoded() }
            return nil
        }.first ?? []
        bytes[0] = 2
        #expect(wireError { () throws(WireError) in try EnableLogging(payload: bytes) }?.code == .badParameter)
    }

    @Test func pairingAsDoorSensorIsBadParameter() {
        var bytes = [UInt8](repeating: 0, count: 101)
        bytes[32] = IDType.doorSensor.rawValue
        #expect(wireError { () throws(WireError) in try AuthorizationData(payload: bytes) }?.code == .badParameter)
    }

    @Test func setConfigRejectsBrightnessAboveFiveAndUnknownTimezone() throws {
        guard case .setConfig(let sample) = Samples.all.first(where: { $0.message.command == .setConfig })?.message else {
            Issue.record("no Set Config sample")
            return
        }
        var bright = sample.encoded()
        bright[44] = 6  // name 32 + latitude 4 + longitude 4 + 4 flags: brightness at offset 44
        #expect(wireError { () throws(WireError) in try SetConfig(payload: bright) }?.code == .badParameter)
        var zone = sample.encoded()
        zone[53] = 46  // timezone id at offset 53..54
        zone[54] = 0
        #expect(wireError { () throws(WireError) in try SetConfig(payload: zone) }?.code == .badParameter)
    }

    @Test func nonFiniteLatitudeIsBadParameter() {
        var bytes = Samples.config71.encoded()
        bytes.replaceSubrange(36..<40, with: [0x00, 0x00, 0xC0, 0x7F])  // NaN
        #expect(wireError { () throws(WireError) in try Config(payload: bytes) }?.code == .badParameter)
    }

    @Test func undocumentedStatusIsBadParameter() {
        #expect(wireError { () throws(WireError) in try Status(payload: [0x02]) }?.code == .badParameter)
    }

    @Test(arguments: [0x0000, 0x0002, 0x0029, 0xFFFF] as [UInt16])
    func undocumentedCommandsAreUnknown(raw: UInt16) {
        let error = wireError { () throws(WireError) in
            try NukiMessage.decode(command: Command(rawValue: raw), payload: [])
        }
        #expect(error?.code == .unknownCommand)
        #expect(error?.code.nukiErrorCode.rawValue == 0xFF)
    }
}
