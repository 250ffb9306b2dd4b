import LockCore
import LockWire
import Testing

/// Device profiles (issue 18): per profile and firmware, the lengths a lock sends, its PIN width,
/// pairing variant, Exchange MTU, connection limit and door sensor, pinned to exact values.
@Suite struct LockProfileTests {
    static let t0 = Fixture.t0

    /// A lock of `profile` on `firmware` with an app paired, clock set, instant motor.
    static func machine(_ profile: LockProfile, firmware: FirmwareVersion? = nil) throws -> LockMachine {
        var model = try profile.model(firmware: firmware)
        model.motorStepMilliseconds = 0
        let pin: SecurityPIN = model.securityPINDigits == 6 ? .u32(123_456) : .u16(4321)
        var m = LockMachine(model: model, nukiID: 0x2A37_599A, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: pin)
        try m.setClock(to: t0.utcDateTime, at: t0)
        m.restoreAuthorization(Authorization(authID: 1, idType: .app, clientID: 1, name: FixedName("Phone", width: 32), dateCreated: .unset))
        _ = m.advance(to: t0)
        return m
    }

    static func fw(_ major: UInt8, _ minor: UInt8, _ patch: UInt8) -> FirmwareVersion {
        FirmwareVersion(major: major, minor: minor, patch: patch)
    }

    struct Row: Sendable, CustomStringConvertible {
        var profile: LockProfile
        var firmware: FirmwareVersion?
        var keyturnerStates: Int
        var config: Int
        var advancedConfig: Int
        var pinDigits: Int
        var ultra: Bool
        var exchangesMTU: Bool
        var connections: Int
        var doorSensor: Bool
        /// Config from offset 66: firmware (3), hardware revision (2), then the model's tail.
        var configTail: String
        var description: String { "\(profile) \(firmware?.description ?? "default")" }
    }

    static let rows: [Row] = [
        Row(profile: .sl1, firmware: nil, keyturnerStates: 20, config: 74, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: false, configTail: "010A00 0100 00 FFFF"),
        Row(profile: .sl1, firmware: fw(1, 9, 2), keyturnerStates: 19, config: 71, advancedConfig: 28, pinDigits: 4, ultra: false,
            exchangesMTU: false, connections: 1, doorSensor: false, configTail: "010902 0100"),
        Row(profile: .sl1, firmware: fw(1, 9, 3), keyturnerStates: 20, config: 74, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: false, configTail: "010903 0100 00 FFFF"),
        Row(profile: .sl2, firmware: nil, keyturnerStates: 21, config: 74, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "020E02 0200 00 FFFF"),
        Row(profile: .sl2, firmware: fw(2, 7, 19), keyturnerStates: 19, config: 71, advancedConfig: 28, pinDigits: 4, ultra: false,
            exchangesMTU: false, connections: 1, doorSensor: true, configTail: "020713 0200"),
        Row(profile: .sl3, firmware: nil, keyturnerStates: 21, config: 77, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "030802 0205 00 FFFF 04 00 00"),
        Row(profile: .sl3pro, firmware: nil, keyturnerStates: 21, config: 77, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "030802 0205 00 FFFF 04 01 00"),
        Row(profile: .sl4, firmware: nil, keyturnerStates: 27, config: 78, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "040200 0300 00 FFFF 04 02 00 00"),
        Row(profile: .sl4pro, firmware: nil, keyturnerStates: 27, config: 78, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "040200 0300 00 FFFF 04 03 00 00"),
        Row(profile: .ultra, firmware: nil, keyturnerStates: 27, config: 79, advancedConfig: 33, pinDigits: 6, ultra: true,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "050000 0500 00 FFFF 05 03 00 00 00"),
        Row(profile: .go, firmware: nil, keyturnerStates: 27, config: 78, advancedConfig: 31, pinDigits: 6, ultra: true,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "050000 0400 00 FFFF 05 02 00 00"),
        Row(profile: .go, firmware: fw(4, 6, 0), keyturnerStates: 27, config: 78, advancedConfig: 31, pinDigits: 4, ultra: false,
            exchangesMTU: true, connections: 4, doorSensor: true, configTail: "040600 0400 00 FFFF 04 02 00 00"),
    ]

    @Test(arguments: rows) func factsAndLengths(_ row: Row) throws {
        var m = try Self.machine(row.profile, firmware: row.firmware)
        let model = m.model
        #expect(model.profile == row.profile)
        #expect(model.keyturnerStatesLength == row.keyturnerStates)
        #expect(model.securityPINDigits == row.pinDigits)
        #expect(model.wireContext == (row.ultra ? .ultra : .smartLock))
        #expect(model.exchangesMTU == row.exchangesMTU)
        #expect(model.maxConnections == row.connections)
        #expect(model.hasDoorSensor == row.doorSensor)
        // What goes on the wire.
        let states = m.keyturnerStates(at: Self.t0).encoded()
        #expect(states.count == row.keyturnerStates)
        let config = m.config(at: Self.t0).encoded()
        #expect(config.count == row.config)
        #expect(Hex.encode(config.dropFirst(66)) == row.configTail.replacingOccurrences(of: " ", with: ""))
        let advanced = m.advancedConfig().encoded()
        #expect(advanced.count == row.advancedConfig)
        // The same lengths through Request Data, as a client reads them.
        let replies = Fixture.replies(try m.handle(.requestConfig(RequestConfig(challenge: .zero)), from: 1, at: Self.t0))
        #expect(replies.map { $0.encodedPayload().count } == [row.config])
        // And they decode in the model's own context.
        #expect(try Config(payload: config, context: model.wireContext).encoded() == config)
    }

    @Test func smartLock1ReportsImmediateAutoLockAsUnsupportedAndIgnoresIt() throws {
        var m = try Self.machine(.sl1)
        #expect(m.advancedConfig().encoded()[29] == 0xFF)
        // A client writing back what it read (0xFF) is not refused; the field stays unsupported.
        var settings = Fixture.settings(immediate: 0xFF)
        settings.autoLockEnabled = false
        _ = try m.handle(.setAdvancedConfig(SetAdvancedConfig(settings: settings, challenge: .zero, securityPIN: .u16(4321))), from: 1, at: Self.t0)
        #expect(m.advancedConfig().encoded()[29] == 0xFF)
        // A Smart Lock 2.0 refuses the same byte: it has the setting.
        var sl2 = try Self.machine(.sl2)
        #expect(sl2.advancedConfig().encoded()[29] == 0x00)
        #expect(Fixture.error { () throws(LockError) in
            try sl2.handle(.setAdvancedConfig(SetAdvancedConfig(settings: settings, challenge: .zero, securityPIN: .u16(4321))), from: 1, at: Self.t0)
        } == .badParameter)
    }

    @Test func ultraSendsMotorSpeed() throws {
        let m = try Self.machine(.ultra)
        let advanced = m.advancedConfig().encoded()
        #expect(advanced.count == 33)
        #expect(Array(advanced.suffix(2)) == [0x00, 0x00])
    }

    @Test func securityPINHasTheModelsDigits() throws {
        var sl3 = try Self.machine(.sl3)
        func set(_ m: inout LockMachine, _ new: SecurityPIN, _ current: SecurityPIN) -> NukiErrorCode? {
            Fixture.error { () throws(LockError) in
                try m.handle(.setSecurityPIN(SetSecurityPIN(newPIN: new, challenge: .zero, securityPIN: current)), from: 1, at: Self.t0)
            }
        }
        #expect(set(&sl3, .u16(10_000), .u16(4321)) == .badParameter)
        #expect(set(&sl3, .u16(65_535), .u16(4321)) == .badParameter)
        #expect(sl3.securityPIN == .u16(4321))
        #expect(set(&sl3, .u16(9_999), .u16(4321)) == nil)
        #expect(sl3.securityPIN == .u16(9_999))
        var ultra = try Self.machine(.ultra)
        #expect(set(&ultra, .u32(1_000_000), .u32(123_456)) == .badParameter)
        #expect(set(&ultra, .u16(1234), .u32(123_456)) == .badParameter)
        #expect(set(&ultra, .u32(999_999), .u32(123_456)) == nil)
        #expect(ultra.securityPIN == .u32(999_999))
    }

    @Test func smartLock1HasNoDoorSensor() throws {
        var sl1 = try Self.machine(.sl1)
        #expect(Fixture.events(sl1.simulateDoor(open: true, at: Self.t0)).isEmpty)
        #expect(sl1.keyturnerStates(at: Self.t0).encoded()[18] == 0x00)
        var sl2 = try Self.machine(.sl2)
        #expect(Fixture.events(sl2.simulateDoor(open: true, at: Self.t0)) == [.doorSensorChanged(.opened)])
        #expect(sl2.keyturnerStates(at: Self.t0).encoded()[18] == 0x03)
    }

    @Test func firmwareMustBeTheDevicesOwn() throws {
        #expect(throws: LockProfileError.self) { try LockProfile.sl3.model(firmware: Self.fw(4, 2, 0)) }
        #expect(throws: LockProfileError.self) { try LockProfile.ultra.model(firmware: Self.fw(4, 9, 9)) }
        do {
            _ = try LockProfile.sl1.model(firmware: Self.fw(2, 0, 0))
            Issue.record("a Smart Lock 1.0 on 2.0.0")
        } catch {
            #expect(error.description == "firmware 2.0.0 is not a Smart Lock 1.0 firmware (1.x)")
        }
        do {
            _ = try LockProfile.go.model(firmware: Self.fw(3, 0, 0))
            Issue.record("a Smart Lock Go on 3.0.0")
        } catch {
            #expect(error.description == "firmware 3.0.0 is not a Smart Lock Go firmware (4.x to 5.x)")
        }
        #expect(LockProfile.parseFirmware("1.9.3") == Self.fw(1, 9, 3))
        #expect(LockProfile.parseFirmware("1.9") == nil)
        #expect(LockProfile.parseFirmware("1.9.256") == nil)
        #expect(LockProfile.parseFirmware("1..3") == nil)
        #expect(LockProfile.parseFirmware("+1.9.3") == nil)
        #expect(LockProfile.parseFirmware("1.9.3.4") == nil)
    }

    @Test func catalogueListsEveryProfile() {
        #expect(LockProfile.catalogue == [
            "profile device                  firmware KS  Config Adv  PIN pairing  conn",
            "sl1     Smart Lock 1.0          1.10.0   20  74     31   4   standard 4",
            "sl2     Smart Lock 2.0          2.14.2   21  74     31   4   standard 4",
            "sl3     Smart Lock 3.0          3.8.2    21  77     31   4   standard 4",
            "sl3pro  Smart Lock 3.0 Pro      3.8.2    21  77     31   4   standard 4",
            "sl4     Smart Lock 4th gen      4.2.0    27  78     31   4   standard 4",
            "sl4pro  Smart Lock 4th gen Pro  4.2.0    27  78     31   4   standard 4",
            "ultra   Smart Lock Ultra        5.0.0    27  79     33   6   Ultra    4",
            "go      Smart Lock Go           5.0.0    27  78     31   6   Ultra    4",
            "sl1 before 1.9.3, sl2 before 2.7.20: no Exchange MTU, KS 19, Config 71, Adv 28, 1 conn.",
            "sl1: no door sensor, immediate auto lock 0xFF. go on 4.x: standard pairing, PIN 4.",
        ])
    }

    @Test func presetsAreTheirProfiles() throws {
        #expect(LockModel.smartLock3 == (try LockProfile.sl3.model()))
        #expect(LockModel.smartLock4 == (try LockProfile.sl4.model()))
    }
}
