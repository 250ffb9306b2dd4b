import ArgumentParser
import LockCore
import LockSession
import LockWire

/// One settable field of Config or Advanced Config, by its command-line key.
struct PhoneSetting<Value: Sendable>: Sendable {
    var key: String
    var help: String
    var get: @Sendable (Value) -> PhoneValue
    /// Sets the field from text; throws a usage error naming the key and what it takes.
    var set: @Sendable (inout Value, String) throws -> Void
}

/// Parsers of setting values: booleans, numbers in a range, Nuki vocabulary names, times.
enum PhoneSettingValue {
    static func bool(_ key: String, _ text: String) throws -> Bool {
        switch text.lowercased() {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw ValidationError("\(key) is on or off, not \(text)")
        }
    }

    static func number<T: FixedWidthInteger>(_ key: String, _ text: String, _ range: ClosedRange<T>) throws -> T {
        guard let value = T(text), range.contains(value) else { throw ValidationError("\(key) is a number from \(range.lowerBound) to \(range.upperBound), not \(text)") }
        return value
    }

    static func coordinate(_ key: String, _ text: String, limit: Float) throws -> Float {
        guard let value = Float(text), value.isFinite, abs(value) <= limit else { throw ValidationError("\(key) is a number from -\(Int(limit)) to \(Int(limit)), not \(text)") }
        return value
    }

    /// A documented value of a Nuki code by its name, e.g. `lock-n-go` for `LOCK_N_GO`.
    static func code<T: WireCode>(_ key: String, _ text: String, _ type: T.Type) throws -> T {
        let wanted = text.uppercased().replacingOccurrences(of: "-", with: "_")
        guard let found = T.documented.first(where: { $0.name == wanted }) else {
            throw ValidationError("\(key) is one of \(names(type).joined(separator: ", ")), not \(text)")
        }
        return found.code
    }

    static func names<T: WireCode>(_ type: T.Type) -> [String] {
        T.documented.map { $0.name.lowercased().replacingOccurrences(of: "_", with: "-") }
    }

    static func name<T: WireCode>(_ code: T) -> PhoneValue {
        .string(code.name.map { $0.lowercased().replacingOccurrences(of: "_", with: "-") } ?? "\(code.rawValue)")
    }

    static func time(_ key: String, _ text: String) throws -> TimeOfDay {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = UInt8(parts[0]), let minute = UInt8(parts[1]),
            TimeOfDay(hour: hour, minute: minute).isValid
        else { throw ValidationError("\(key) is HH:MM (00:00–23:59), not \(text)") }
        return TimeOfDay(hour: hour, minute: minute)
    }
}

/// `KEY=VALUE` assignments of `config set` / `advanced-config set`, checked against `settings`.
enum PhoneAssignments {
    static func parse<Value>(_ assignments: [String], _ settings: [PhoneSetting<Value>], sample: Value) throws -> [(PhoneSetting<Value>, String)] {
        guard !assignments.isEmpty else { throw ValidationError("give at least one KEY=VALUE (keys: \(settings.map(\.key).joined(separator: ", ")))") }
        var sample = sample
        return try assignments.map { assignment in
            guard let equals = assignment.firstIndex(of: "=") else { throw ValidationError("\(assignment) is not KEY=VALUE") }
            let key = String(assignment[..<equals])
            let value = String(assignment[assignment.index(after: equals)...])
            guard let setting = settings.first(where: { $0.key == key }) else {
                throw ValidationError("no setting \(key) (keys: \(settings.map(\.key).joined(separator: ", ")))")
            }
            try setting.set(&sample, value)
            return (setting, value)
        }
    }

    static func print<Value>(_ value: Value, _ settings: [PhoneSetting<Value>], _ out: PhoneOutput, extra: [String: PhoneValue] = [:]) throws {
        var fields = extra
        for setting in settings { fields[setting.key] = setting.get(value) }
        let text = settings.map { "\($0.key)=\($0.get(value).text)" } + extra.keys.sorted().map { "\($0)=\(extra[$0]?.text ?? "")" }
        try out.line(text.joined(separator: "\n"), fields)
    }
}

/// `latchkey phone config get|set`: Request Config (0x0014, EC) → Config (0x0015); Set Config
/// (0x0013, ECP) with Config's fields, changed as asked (Nuki BLE API 2.1/2.3 §"Set Config",
/// `docs/wire.md` §5.8).
struct PhoneConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Read or change the lock's Config (name, LED, button, pairing, fob actions, time zone).",
        subcommands: [Get.self, Set.self])

    typealias Setting = PhoneSetting<SetConfig>

    static let settings: [Setting] = [
        Setting(key: "name", help: "up to 32 bytes", get: { .string($0.name.text) }) { c, t in
            try PhoneNames.check(t, option: "name", width: FixedName.nameWidth)
            c.name = FixedName(t, width: FixedName.nameWidth)
        },
        Setting(key: "latitude", help: "degrees", get: { .string("\($0.latitude)") }) { c, t in c.latitude = try PhoneSettingValue.coordinate("latitude", t, limit: 90) },
        Setting(key: "longitude", help: "degrees", get: { .string("\($0.longitude)") }) { c, t in c.longitude = try PhoneSettingValue.coordinate("longitude", t, limit: 180) },
        Setting(key: "auto-unlatch", help: "on/off", get: { .bool($0.autoUnlatch) }) { c, t in c.autoUnlatch = try PhoneSettingValue.bool("auto-unlatch", t) },
        Setting(key: "pairing-enabled", help: "on/off", get: { .bool($0.pairingEnabled) }) { c, t in c.pairingEnabled = try PhoneSettingValue.bool("pairing-enabled", t) },
        Setting(key: "button-enabled", help: "on/off", get: { .bool($0.buttonEnabled) }) { c, t in c.buttonEnabled = try PhoneSettingValue.bool("button-enabled", t) },
        Setting(key: "led-enabled", help: "on/off", get: { .bool($0.ledEnabled) }) { c, t in c.ledEnabled = try PhoneSettingValue.bool("led-enabled", t) },
        Setting(key: "led-brightness", help: "0-5", get: { .int(Int64($0.ledBrightness)) }) { c, t in c.ledBrightness = try PhoneSettingValue.number("led-brightness", t, 0...5) },
        Setting(key: "timezone-offset", help: "minutes", get: { .int(Int64($0.timezoneOffsetMinutes)) }) { c, t in
            c.timezoneOffsetMinutes = try PhoneSettingValue.number("timezone-offset", t, -720...840)
        },
        Setting(key: "dst-mode", help: PhoneSettingValue.names(DSTMode.self).joined(separator: "/"), get: { PhoneSettingValue.name($0.dstMode) }) { c, t in
            c.dstMode = try PhoneSettingValue.code("dst-mode", t, DSTMode.self)
        },
        Setting(key: "fob-action-1", help: "fob action", get: { PhoneSettingValue.name($0.fobAction1) }) { c, t in c.fobAction1 = try PhoneSettingValue.code("fob-action-1", t, FobAction.self) },
        Setting(key: "fob-action-2", help: "fob action", get: { PhoneSettingValue.name($0.fobAction2) }) { c, t in c.fobAction2 = try PhoneSettingValue.code("fob-action-2", t, FobAction.self) },
        Setting(key: "fob-action-3", help: "fob action", get: { PhoneSettingValue.name($0.fobAction3) }) { c, t in c.fobAction3 = try PhoneSettingValue.code("fob-action-3", t, FobAction.self) },
        Setting(key: "single-lock", help: "on/off", get: { .bool($0.singleLock) }) { c, t in c.singleLock = try PhoneSettingValue.bool("single-lock", t) },
        Setting(key: "advertising-mode", help: "mode", get: { PhoneSettingValue.name($0.advertisingMode) }) { c, t in
            c.advertisingMode = try PhoneSettingValue.code("advertising-mode", t, AdvertisingMode.self)
        },
        Setting(key: "timezone-id", help: "Nuki time zone id", get: { .int(Int64($0.timezoneID.rawValue)) }) { c, t in
            c.timezoneID = TimeZoneID(rawValue: try PhoneSettingValue.number("timezone-id", t, 0...UInt16.max))
        },
    ]

    /// Set Config carrying `config`'s current values.
    static func setConfig(_ config: Config, challenge: Bytes32, pin: SecurityPIN) -> SetConfig {
        SetConfig(
            name: config.name, latitude: config.latitude, longitude: config.longitude, autoUnlatch: config.autoUnlatch,
            pairingEnabled: config.pairingEnabled, buttonEnabled: config.buttonEnabled, ledEnabled: config.ledEnabled,
            ledBrightness: config.ledBrightness, timezoneOffsetMinutes: config.timezoneOffsetMinutes, dstMode: config.dstMode,
            fobAction1: config.fobAction1, fobAction2: config.fobAction2, fobAction3: config.fobAction3, singleLock: config.singleLock,
            advertisingMode: config.advertisingMode, timezoneID: config.timezoneID ?? .none, challenge: challenge, securityPIN: pin)
    }

    static let sample = SetConfig(
        name: FixedName("", width: FixedName.nameWidth), latitude: 0, longitude: 0, autoUnlatch: false, pairingEnabled: true,
        buttonEnabled: true, ledEnabled: true, ledBrightness: 3, timezoneOffsetMinutes: 0, dstMode: .european, fobAction1: .unlock,
        fobAction2: .lock, fobAction3: .none, singleLock: false, advertisingMode: .automatic, timezoneID: .none, challenge: .zero,
        securityPIN: .u16(0))

    static func read(_ session: PhoneSession) throws -> Config {
        guard case .config(let config)? = try session.request(.config).last else { throw PhoneFailure(reason: "the lock sent no Config") }
        return config
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print Config as KEY=VALUE lines (JSON: one object).")
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            try PhoneSession.run(options, discovery) { session, out in
                let config = try PhoneConfigCommand.read(session)
                try PhoneAssignments.print(PhoneConfigCommand.setConfig(config, challenge: .zero, pin: .u16(0)), PhoneConfigCommand.settings, out, extra: [
                    "nuki-id": .string(String(config.nukiID, radix: 16, uppercase: true)), "current-time": .string("\(config.currentTime)Z"),
                    "has-fob": .bool(config.hasFob), "has-keypad": .bool(config.hasKeypad),
                ])
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change Config: KEY=VALUE … (keys as `config get` prints them).")
        @Argument(help: "KEY=VALUE assignments, e.g. led-enabled=off fob-action-1=lock.") var assignments: [String] = []
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func validate() throws { _ = try PhoneAssignments.parse(assignments, PhoneConfigCommand.settings, sample: PhoneConfigCommand.sample) }

        func run() throws {
            let changes = try PhoneAssignments.parse(assignments, PhoneConfigCommand.settings, sample: PhoneConfigCommand.sample)
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                let wirePIN = try session.securityPIN(securityPIN)
                var wanted = PhoneConfigCommand.setConfig(try PhoneConfigCommand.read(session), challenge: .zero, pin: wirePIN)
                for (setting, value) in changes { try setting.set(&wanted, value) }
                let request = wanted
                _ = try session.request(.setConfig, securityPIN) { nonce, pin in
                    var message = request
                    message.challenge = nonce
                    message.securityPIN = pin
                    return .setConfig(message)
                }
                try out.accepted(changes.map { "\($0.0.key)=\($0.1)" }.joined(separator: " "))
            }
        }
    }
}

/// `latchkey phone advanced-config get|set`: Request Advanced Config (0x0036, EC) → Advanced
/// Config (0x0037); Set Advanced Config (0x0035, ECP) with the current values changed as asked
/// (`docs/wire.md` §5.9). `auto-unlock=on` clears "auto unlock disabled": Auto Unlock is off until
/// the owner switches it on.
struct PhoneAdvancedConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advanced-config", abstract: "Read or change Advanced Config (auto lock, auto unlock, lock'n'go, night mode…).",
        subcommands: [Get.self, Set.self])

    typealias Setting = PhoneSetting<AdvancedConfigSettings>

    static let settings: [Setting] = [
        Setting(key: "auto-unlock", help: "on/off (off: Auto Unlock disabled)", get: { .bool(!$0.autoUnlockDisabled) }) { c, t in
            c.autoUnlockDisabled = !(try PhoneSettingValue.bool("auto-unlock", t))
        },
        Setting(key: "auto-lock", help: "on/off", get: { .bool($0.autoLockEnabled ?? false) }) { c, t in c.autoLockEnabled = try PhoneSettingValue.bool("auto-lock", t) },
        Setting(key: "auto-lock-timeout", help: "seconds", get: { .int(Int64($0.autoLockTimeout)) }) { c, t in
            c.autoLockTimeout = try PhoneSettingValue.number("auto-lock-timeout", t, 0...UInt16.max)
        },
        Setting(key: "immediate-auto-lock", help: "on/off", get: { .bool(($0.immediateAutoLockEnabled ?? 0) != 0) }) { c, t in
            c.immediateAutoLockEnabled = try PhoneSettingValue.bool("immediate-auto-lock", t) ? 1 : 0
        },
        Setting(key: "lockngo-timeout", help: "seconds 5-60", get: { .int(Int64($0.lockNGoTimeout)) }) { c, t in
            c.lockNGoTimeout = try PhoneSettingValue.number("lockngo-timeout", t, 5...60)
        },
        Setting(key: "unlatch-duration", help: "seconds 1-30", get: { .int(Int64($0.unlatchDuration)) }) { c, t in
            c.unlatchDuration = try PhoneSettingValue.number("unlatch-duration", t, 1...30)
        },
        Setting(key: "single-button-press-action", help: "button action", get: { PhoneSettingValue.name($0.singleButtonPressAction) }) { c, t in
            c.singleButtonPressAction = try PhoneSettingValue.code("single-button-press-action", t, ButtonPressAction.self)
        },
        Setting(key: "double-button-press-action", help: "button action", get: { PhoneSettingValue.name($0.doubleButtonPressAction) }) { c, t in
            c.doubleButtonPressAction = try PhoneSettingValue.code("double-button-press-action", t, ButtonPressAction.self)
        },
        Setting(key: "detached-cylinder", help: "on/off", get: { .bool($0.detachedCylinder) }) { c, t in c.detachedCylinder = try PhoneSettingValue.bool("detached-cylinder", t) },
        Setting(key: "battery-type", help: "battery type", get: { PhoneSettingValue.name($0.batteryType) }) { c, t in
            c.batteryType = try PhoneSettingValue.code("battery-type", t, BatteryType.self)
        },
        Setting(key: "automatic-battery-type-detection", help: "on/off", get: { .bool($0.automaticBatteryTypeDetection) }) { c, t in
            c.automaticBatteryTypeDetection = try PhoneSettingValue.bool("automatic-battery-type-detection", t)
        },
        Setting(key: "nightmode", help: "on/off", get: { .bool($0.nightmodeEnabled) }) { c, t in c.nightmodeEnabled = try PhoneSettingValue.bool("nightmode", t) },
        Setting(key: "nightmode-start", help: "HH:MM", get: { .string("\($0.nightmodeStartTime)") }) { c, t in c.nightmodeStartTime = try PhoneSettingValue.time("nightmode-start", t) },
        Setting(key: "nightmode-end", help: "HH:MM", get: { .string("\($0.nightmodeEndTime)") }) { c, t in c.nightmodeEndTime = try PhoneSettingValue.time("nightmode-end", t) },
        Setting(key: "nightmode-auto-lock", help: "on/off", get: { .bool($0.nightmodeAutoLockEnabled) }) { c, t in
            c.nightmodeAutoLockEnabled = try PhoneSettingValue.bool("nightmode-auto-lock", t)
        },
        Setting(key: "nightmode-auto-unlock-disabled", help: "on/off", get: { .bool($0.nightmodeAutoUnlockDisabled) }) { c, t in
            c.nightmodeAutoUnlockDisabled = try PhoneSettingValue.bool("nightmode-auto-unlock-disabled", t)
        },
        Setting(key: "nightmode-immediate-lock-on-start", help: "on/off", get: { .bool($0.nightmodeImmediateLockOnStart) }) { c, t in
            c.nightmodeImmediateLockOnStart = try PhoneSettingValue.bool("nightmode-immediate-lock-on-start", t)
        },
    ]

    static func read(_ session: PhoneSession) throws -> AdvancedConfig {
        let request = ClientRequest(command: .requestAdvancedConfig, needsChallenge: true, finalCommands: [.advancedConfig]) { nonce in
            .requestAdvancedConfig(RequestAdvancedConfig(challenge: nonce))
        }
        guard case .advancedConfig(let config)? = try session.request(request).last else { throw PhoneFailure(reason: "the lock sent no Advanced Config") }
        return config
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print Advanced Config as KEY=VALUE lines (JSON: one object).")
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            try PhoneSession.run(options, discovery) { session, out in
                let config = try PhoneAdvancedConfigCommand.read(session)
                try PhoneAssignments.print(config.settings, PhoneAdvancedConfigCommand.settings, out, extra: ["total-degrees": .int(Int64(config.totalDegrees))])
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change Advanced Config: KEY=VALUE … (e.g. auto-unlock=on).")
        @Argument(help: "KEY=VALUE assignments, e.g. auto-unlock=on lockngo-timeout=20.") var assignments: [String] = []
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func validate() throws { _ = try PhoneAssignments.parse(assignments, PhoneAdvancedConfigCommand.settings, sample: LockMachine.defaultAdvancedSettings) }

        func run() throws {
            let changes = try PhoneAssignments.parse(assignments, PhoneAdvancedConfigCommand.settings, sample: LockMachine.defaultAdvancedSettings)
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                _ = try session.securityPIN(securityPIN) // the width check, before the first request
                var settings = try PhoneAdvancedConfigCommand.read(session).settings
                for (setting, value) in changes { try setting.set(&settings, value) }
                let wanted = settings
                _ = try session.request(.setAdvancedConfig, securityPIN) { .setAdvancedConfig(SetAdvancedConfig(settings: wanted, challenge: $0, securityPIN: $1)) }
                try out.accepted(changes.map { "\($0.0.key)=\($0.1)" }.joined(separator: " "))
            }
        }
    }
}
