import ArgumentParser
import Foundation
import LockCrypto
import LockEmulator
import LockSession
import LockWire

/// `latchkey phone`: the owner's app as a CLI peripheral (ID type app, an admin), over the socket
/// link or BlueZ like `keypad` and `fob`, with its credentials in its own 0600 state file.
///
/// Commands whose Nuki payload carries the security PIN (ECP in `docs/wire.md` §4) ask for it
/// (``PhonePINOptions``). Exit codes: 0 done, 1 refused by the lock (the line names the error,
/// e.g. `phone: refused: K_ERROR_BAD_PIN`) or failed, 64 bad input (nothing is sent).
struct PhoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone", abstract: "The owner's phone app: pair, open, and administer a serving lock.",
        discussion: """
            Admin commands (auth, code, config set, advanced-config set, log, time sync, pin, calibrate) \
            need the lock's security PIN: --pin, --pin-file, --pin-stdin or LATCHKEY_PIN.
            """,
        subcommands: [
            PhonePairCommand.self, PhoneStateCommand.self, PhoneLockCommand.self, PhoneUnlockCommand.self, PhoneUnlatchCommand.self,
            PhoneLockNGoCommand.self, PhoneApproachCommand.self, PhoneLeaveCommand.self, PhoneAuthCommand.self, PhoneCodeCommand.self,
            PhoneConfigCommand.self, PhoneAdvancedConfigCommand.self, PhoneLogCommand.self, PhoneBatteryCommand.self,
            PhoneTimeCommand.self, PhonePINCommand.self, PhoneCalibrateCommand.self, PhoneNotificationsCommand.self,
        ])
}

/// `latchkey phone notifications`: the app's bell. Reads the lock's state first (as the app does
/// when opened), so a battery alert the phone had not seen yet is added, then lists every
/// notification kept in the phone's state file, oldest first; `--clear` empties the list after.
struct PhoneNotificationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications", abstract: "The phone's notification list (the bell): the battery alert, once per fall below 20 %.")
    @Flag(help: "Empty the list after printing it.") var clear = false
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        try PhoneSession.run(options, discovery) { session, out in
            _ = try session.request(.keyturnerStates)
            let list = session.file.notifications ?? []
            switch options.format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(list), as: UTF8.self))
            case .text:
                if list.isEmpty { print("phone: no notifications") }
                for item in list { print("\(item.time)  \(item.message)") }
            }
            if clear { try session.clearNotifications() }
        }
    }
}

/// `latchkey phone pair`: pairs as ID type app (the lock must be in pairing mode), the standard
/// way or the Smart Lock Ultra way (`docs/wire.md` §3.4), as the lock's GATT table shows: an Ultra
/// pairing GDIO `a92ee301-…` means the Ultra pairing, which needs the lock's 6-digit security PIN
/// (``PhonePairingPINOptions``); no flag chooses.
struct PhonePairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair", abstract: "Pair the phone (the lock must be in pairing mode; a Smart Lock Ultra or Go 5.x also needs its security PIN).")
    @Option(help: "The phone's name on the lock (up to 32 bytes; default Phone).") var name: String?
    @OptionGroup var pin: PhonePairingPINOptions
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        if let name { try PhoneNames.check(name, option: "--name", width: FixedName.nameWidth) }
    }

    func run() throws {
        let session = try PhoneSession(options, discovery, pairing: true, name: name)
        let securityPIN = session.pairsTheUltraWay ? try pin.resolveUltra() : nil
        let feedback = try session.pair(securityPIN: securityPIN)
        try FeedbackPrinter.finish(feedback, device: "phone", format: options.format)
    }
}

/// Checks of names sent in fixed-width name fields.
enum PhoneNames {
    /// Throws a usage error unless `name` is 1…`width` bytes of UTF-8 without NUL.
    static func check(_ name: String, option: String, width: Int) throws {
        guard !name.isEmpty, name.utf8.count <= width, !name.utf8.contains(0) else {
            throw ValidationError("\(option) is 1 to \(width) bytes of UTF-8")
        }
    }
}

/// `latchkey phone state`: Request Data(Keyturner States) (0x0001 → 0x000C).
struct PhoneStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Read the lock's Keyturner States.")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        try PhoneSession.run(options, discovery) { session, out in
            guard case .keyturnerStates(let states)? = try session.request(.keyturnerStates).last else {
                throw PhoneFailure(reason: "the lock did not send Keyturner States")
            }
            let battery = states.criticalBatteryState
            let text = "nuki state \(states.nukiState.name ?? "\(states.nukiState)"), lock state \(states.lockState.name ?? "\(states.lockState)"), "
                + "trigger \(states.trigger.name ?? "\(states.trigger)"), time \(states.currentTime)Z, battery \(battery.percent) %"
                + (battery.isCritical ? " CRITICAL" : "") + (states.doorSensorState.map { ", door \($0.name ?? "\($0)")" } ?? "")
            var fields: [String: PhoneValue] = [
                "nukiState": .string(states.nukiState.name ?? "\(states.nukiState)"),
                "lockState": .string(states.lockState.name ?? "\(states.lockState)"),
                "trigger": .string(states.trigger.name ?? "\(states.trigger)"),
                "time": .string("\(states.currentTime)Z"),
                "batteryPercent": .int(Int64(battery.percent)),
                "batteryCritical": .bool(battery.isCritical),
                "configUpdateCount": .int(Int64(states.configUpdateCount)),
            ]
            if let door = states.doorSensorState { fields["doorSensorState"] = .string(door.name ?? "\(door)") }
            try out.line(text, fields)
        }
    }
}

/// Runs one Lock Action (0x000D, EC: challenge, no PIN) as the phone: ACCEPTED, Keyturner States
/// per motor step, COMPLETE; prints the lock state it ended in. When COMPLETE does not come within
/// `--complete-timeout` of the last reply, the state is read back (never the action sent again):
/// `phone: unlocked (COMPLETE not received; state read back)`, exit 3.
enum PhoneLockAction {
    /// `sent` runs once the lock answered the Lock Action, accepted or refused.
    static func run(
        _ action: LockAction, flags: LockActionFlags = [], _ options: PeripheralOptions, _ discovery: DiscoveryOptions,
        sent: (PhoneSession) throws -> Void = { _ in }
    ) throws {
        try PhoneSession.run(options, discovery) { session, out in
            let replies: [NukiMessage]
            do {
                replies = try session.request(.lockAction(action, appID: session.appID, flags: flags))
            } catch let refusal as PhoneRefusal {
                try sent(session)
                throw refusal
            }
            try sent(session)
            let state = replies.compactMap { reply -> LockState? in
                if case .keyturnerStates(let states) = reply { return states.lockState }
                return nil
            }.last
            if session.completeMissing, let state {
                try out.readBack(state)
                throw ExitCode(FeedbackPrinter.completeMissingExitCode)
            }
            let name = state.map { $0.name ?? "\($0)" }
            try out.accepted(name.map { "lock state \($0)" }, name.map { ["lockState": .string($0)] } ?? [:])
        }
    }
}

/// `latchkey phone lock`.
struct PhoneLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lock", abstract: "Lock (Lock Action 0x02).")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions
    func run() throws { try PhoneLockAction.run(.lock, options, discovery) }
}

/// `latchkey phone unlock`.
struct PhoneUnlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlock", abstract: "Unlock (Lock Action 0x01).")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions
    func run() throws { try PhoneLockAction.run(.unlock, options, discovery) }
}

/// `latchkey phone unlatch`.
struct PhoneUnlatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlatch", abstract: "Unlatch, opening the door (Lock Action 0x03).")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions
    func run() throws { try PhoneLockAction.run(.unlatch, options, discovery) }
}

/// `latchkey phone lockngo [--unlatch]`.
struct PhoneLockNGoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockngo", abstract: "Lock 'n' Go: unlock, wait the lock'n'go timeout, lock (0x04; 0x05 with --unlatch).")
    @Flag(help: "Unlatch first (Lock 'n' Go with unlatch, 0x05).") var unlatch = false
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions
    func run() throws { try PhoneLockAction.run(unlatch ? .lockNGoWithUnlatch : .lockNGo, options, discovery) }
}

/// `latchkey phone approach`: the phone comes into Bluetooth range. As the app does for Auto
/// Unlock, it sends Lock Action unlock with the auto-unlock flag (bit 0); the lock refuses it
/// (K_ERROR_REJECTED) unless the owner switched auto unlock on in Advanced Config, and within the
/// cool-down after a lock action (K_ERROR_AUTO_UNLOCK_TOO_RECENT).
///
/// The proximity model of the app's Auto Unlock: it fires when the phone arrives, so a phone already
/// in range (an `approach` with no `leave` since) sends nothing and exits 1; the lock's own policy
/// (off by default, night mode, the 5-minute cool-down) then judges the Lock Action.
struct PhoneApproachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approach", abstract: "Come into range: auto unlock (Lock Action unlock with the auto-unlock flag), once per arrival.")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions
    func run() throws {
        if try PhoneSession.load(options.state).inRange == true {
            Diagnostics.print("phone: already in range: auto unlock fires when the phone comes back after `latchkey phone leave`")
            throw ExitCode.failure
        }
        try PhoneLockAction.run(.unlock, flags: [.autoUnlock], options, discovery) { try $0.setInRange(true) }
    }
}

/// `latchkey phone leave`: the phone leaves the lock's range (no message is sent); the next
/// `approach` is an arrival again.
struct PhoneLeaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leave", abstract: "Leave the lock's range (the next approach is an arrival).")
    @OptionGroup var options: PeripheralOptions
    func run() throws {
        var file = try PhoneSession.load(options.state)
        guard (try file.credentials()) != nil else {
            throw ValidationError("this phone is not paired: run `latchkey phone pair --state \(options.state)` first")
        }
        file.inRange = false
        try file.save(options.state)
        try PhoneOutput(format: options.format).line("phone: left the lock's range", ["ok": .bool(true), "outcome": .string("left")])
    }
}

/// `latchkey phone battery`: Request Data(Battery Report) (0x0011) and the critical-battery bits
/// of Keyturner States.
struct PhoneBatteryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "battery", abstract: "Read the lock's battery (Battery Report, Keyturner States).")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        try PhoneSession.run(options, discovery) { session, out in
            let reportRequest = ClientRequest(command: .requestData, needsChallenge: false, finalCommands: [.batteryReport]) { _ in
                .requestData(RequestData(requestedCommand: .batteryReport))
            }
            guard case .batteryReport(let report)? = try session.request(reportRequest).last,
                case .keyturnerStates(let states)? = try session.request(.keyturnerStates).last
            else { throw PhoneFailure(reason: "the lock did not send its Battery Report and Keyturner States") }
            let battery = states.criticalBatteryState
            try out.line(
                "battery \(battery.percent) %\(battery.isCritical ? " CRITICAL" : ""), \(report.batteryVoltage) mV, drain \(report.batteryDrain) mWs",
                [
                    "batteryPercent": .int(Int64(battery.percent)), "batteryCritical": .bool(battery.isCritical),
                    "batteryVoltage": .int(Int64(report.batteryVoltage)), "batteryDrain": .int(Int64(report.batteryDrain)),
                    "lowestVoltage": .int(Int64(report.lowestVoltage)),
                ])
        }
    }
}

/// `latchkey phone time sync [--at TIME]`: Update Time (0x0021, ECP) with the phone's UTC time or
/// the one given; the lock judges time-limited rights by this calendar.
struct PhoneTimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "time", abstract: "Set the lock's clock.", subcommands: [Sync.self])

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sync", abstract: "Set the lock's clock (Update Time): now, or --at.")
        @Option(help: ArgumentHelp("The UTC time to set instead of now: YYYY-MM-DDTHH:MM:SSZ.", valueName: "time"))
        var at: String?
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func validate() throws {
            if let at {
                guard at.contains("T") else { throw ValidationError("--at is a UTC time YYYY-MM-DDTHH:MM:SSZ, not \(at)") }
                _ = try RestrictionOptions.date(at, option: "--at", endOfDay: false)
            }
        }

        func run() throws {
            let time = try at.map { try RestrictionOptions.date($0, option: "--at", endOfDay: false) } ?? LockServer.wallClock().utcDateTime
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                _ = try session.request(.updateTime, securityPIN) { .updateTime(UpdateTime(time: time, challenge: $0, securityPIN: $1)) }
                try out.accepted("lock time \(time)Z", ["time": .string("\(time)Z")])
            }
        }
    }
}

/// `latchkey phone pin set|verify`: Set Security PIN (0x0019) and Verify Security PIN (0x0020).
struct PhonePINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Change or check the lock's security PIN.", subcommands: [Set.self, Verify.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set a new security PIN (from --new-pin or LATCHKEY_NEW_PIN; the old one via --pin…).")
        @Option(name: .customLong("new-pin"), help: ArgumentHelp("The new PIN, 0-9999; a Smart Lock Ultra's or Go 5.x's 0-999999 (or LATCHKEY_NEW_PIN).", valueName: "pin"))
        var newPIN: String?
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        static let variable = "LATCHKEY_NEW_PIN"

        func validate() throws { _ = try newValue() }

        /// The new PIN as given; its width is the lock's (``PhoneSession/securityPIN(_:)``).
        func newValue() throws -> PhonePIN {
            let environment = ProcessInfo.processInfo.environment[Self.variable]
            switch (newPIN, environment) {
            case (let text?, nil): return try PhonePIN.parse(text, from: "--new-pin")
            case (nil, let text?): return try PhonePIN.parse(text, from: Self.variable)
            case (.some, .some): throw ValidationError("give the new PIN one way only, not --new-pin and \(Self.variable)")
            case (nil, nil): throw ValidationError("give the new PIN with --new-pin or \(Self.variable)")
            }
        }

        func run() throws {
            let newValue = try newValue()
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                let newPIN = try session.securityPIN(newValue)
                _ = try session.request(.setSecurityPIN, securityPIN) { .setSecurityPIN(SetSecurityPIN(newPIN: newPIN, challenge: $0, securityPIN: $1)) }
                try out.accepted("security PIN changed")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the security PIN (Verify Security PIN).")
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                _ = try session.request(.verifySecurityPIN(try session.securityPIN(securityPIN)))
                try out.accepted("security PIN correct")
            }
        }
    }
}

/// `latchkey phone calibrate`: Request Calibration (0x001A, ECP): ACCEPTED, motor steps, COMPLETE.
struct PhoneCalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calibrate", abstract: "Calibrate the lock (Request Calibration).")
    @OptionGroup var pin: PhonePINOptions
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        let securityPIN = try pin.resolve()
        try PhoneSession.run(options, discovery) { session, out in
            _ = try session.request(.requestCalibration, securityPIN) { .requestCalibration(RequestCalibration(challenge: $0, securityPIN: $1)) }
            try out.accepted("calibrated")
        }
    }
}

/// `latchkey phone log [--start N] [--count N] [--ascending]`: Request Log Entries (0x0031, ECP)
/// with the total-count flag: Log Entry Count, the entries, COMPLETE. Newest first unless
/// `--ascending`; `--start` continues after (before) that index, as the API pages.
struct PhoneLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Read the lock's log (Request Log Entries), a page at a time.")
    @Option(help: "Continue after this entry index (0: from the newest, or the oldest with --ascending).") var start: UInt32 = 0
    @Option(help: "Entries in the page, 1-100.") var count: Int = 20
    @Flag(help: "Oldest first.") var ascending = false
    @OptionGroup var pin: PhonePINOptions
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        guard (1...100).contains(count) else { throw ValidationError("--count is 1 to 100, not \(count)") }
    }

    func run() throws {
        let securityPIN = try pin.resolve()
        let (start, count, descending) = (self.start, UInt16(clamping: count), !ascending)
        try PhoneSession.run(options, discovery) { session, out in
            let replies = try session.request(.requestLogEntries, securityPIN) {
                .requestLogEntries(RequestLogEntries(startIndex: start, count: count, descending: descending, totalCount: true, challenge: $0, securityPIN: $1))
            }
            for reply in replies {
                switch reply {
                case .logEntryCount(let total):
                    try out.line(
                        "log: \(total.count) entries, logging \(total.loggingEnabled ? "on" : "off")",
                        ["total": .int(Int64(total.count)), "loggingEnabled": .bool(total.loggingEnabled)])
                case .logEntry(let entry):
                    try out.line(Self.text(entry), Self.fields(entry))
                default: break
                }
            }
        }
    }

    /// `#3 2026-12-07T10:00:01Z auth 2 "Keypad" keypad action UNLOCK code 1: SUCCESS`.
    static func text(_ entry: LogEntry) -> String {
        "#\(entry.index) \(entry.timestamp)Z auth \(entry.authID) \"\(entry.name.text)\" \(what(entry.event))"
    }

    static func what(_ event: LogEntry.Event) -> String {
        func name<T: WireCode>(_ code: T) -> String { code.name ?? "\(code)" }
        switch event {
        case .loggingEnabled(let on): return "logging \(on ? "enabled" : "disabled")"
        case .lockAction(let log): return "lock action \(name(log.action)) by \(name(log.trigger)): \(name(log.completionStatus))"
        case .calibration(let log): return "calibration: \(name(log.completionStatus))"
        case .initializationRun(let log): return "initialization run: \(name(log.completionStatus))"
        case .keypadAction(let log): return "keypad action \(name(log.action)) (\(name(log.source)), code id \(log.codeID)): \(name(log.completionStatus))"
        case .doorSensor(let state): return "door sensor \(["opened", "closed", "jammed", "tampered"].indices.contains(Int(state)) ? ["opened", "closed", "jammed", "tampered"][Int(state)] : "\(state)")"
        case .doorSensorLoggingEnabled(let on): return "door sensor logging \(on ? "enabled" : "disabled")"
        case .other(let type): return "entry of type \(name(type))"
        }
    }

    static func fields(_ entry: LogEntry) -> [String: PhoneValue] {
        [
            "index": .int(Int64(entry.index)), "timestamp": .string("\(entry.timestamp)Z"), "authID": .int(Int64(entry.authID)),
            "name": .string(entry.name.text), "type": .string(entry.event.type.name ?? "\(entry.event.type)"), "event": .string(what(entry.event)),
        ]
    }
}
