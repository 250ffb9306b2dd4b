import ArgumentParser
import LockEmulator
import LockPeripherals
import LockWire

/// `latchkey phone code list|add|update|enable|disable|remove`: the lock's keypad codes (Nuki BLE
/// API 2.1 §"Add Keypad Code" 0x0041 → Keypad Code ID 0x0042, §"Request Keypad Codes" 0x0043 →
/// Count 0x0044 + Keypad Code 0x0045, §"Update Keypad Code" 0x0046, §"Remove Keypad Code" 0x0047;
/// all ECP; `docs/wire.md` §7).
struct PhoneCodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code", abstract: "List, add, limit, enable, disable and remove keypad codes.",
        subcommands: [List.self, Add.self, Update.self, Enable.self, Disable.self, Remove.self])

    /// Throws a usage error unless `code` is six digits 1–9 not starting with 12 (`docs/wire.md` §7).
    static func check(_ code: String) throws -> UInt32 {
        guard code.count == KeypadEmulator.codeLength, code.allSatisfy({ ("1"..."9").contains($0) }), !code.hasPrefix("12"),
            let value = UInt32(code)
        else { throw ValidationError("a keypad code is six digits 1–9, not starting with 12") }
        return value
    }

    /// Every keypad code, page by page.
    static func codes(_ session: PhoneSession, _ pin: PhonePIN) throws -> [KeypadCode] {
        var codes: [KeypadCode] = []
        var total = Int.max
        while codes.count < total {
            let offset = UInt16(clamping: codes.count)
            let replies = try session.request(.requestKeypadCodes, pin) {
                .requestKeypadCodes(RequestKeypadCodes(offset: offset, count: 20, challenge: $0, securityPIN: $1))
            }
            var page = 0
            for reply in replies {
                if case .keypadCodeCount(let count) = reply { total = Int(count.count) }
                if case .keypadCode(let code) = reply {
                    codes.append(code)
                    page += 1
                }
            }
            if page == 0 { break }
        }
        return codes
    }

    /// `code 1 456789 "Cleaner" enabled, mon 09:00–12:00`.
    static func summary(_ code: KeypadCode) -> String {
        "code \(code.codeID) \(code.code) \"\(code.name.text)\" \(code.enabled ? "enabled" : "disabled"), \(RestrictionOptions.describe(code.restriction))"
    }

    static func fields(_ code: KeypadCode) -> [String: PhoneValue] {
        [
            "codeID": .int(Int64(code.codeID)), "code": .int(Int64(code.code)), "name": .string(code.name.text),
            "enabled": .bool(code.enabled), "restriction": RestrictionOptions.json(code.restriction),
        ]
    }

    /// Update Keypad Code with the code's fields changed by `change`; K_ERROR_BAD_PARAMETER (as the
    /// lock answers an unknown id) when there is no such code.
    static func update(
        _ codeID: UInt16, _ pin: PhonePIN, _ options: PeripheralOptions, _ discovery: DiscoveryOptions,
        _ change: @escaping (inout KeypadCode) -> Void
    ) throws {
        try PhoneSession.run(options, discovery) { session, out in
            guard var code = try codes(session, pin).first(where: { $0.codeID == codeID }) else { throw PhoneRefusal(code: .badParameter) }
            change(&code)
            let updated = code
            _ = try session.request(.updateKeypadCode, pin) {
                .updateKeypadCode(UpdateKeypadCode(
                    codeID: updated.codeID, code: updated.code, name: updated.name, enabled: updated.enabled,
                    restriction: updated.restriction, challenge: $0, securityPIN: $1))
            }
            try out.accepted(summary(updated), fields(updated))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keypad codes.")
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                for code in try PhoneCodeCommand.codes(session, securityPIN) {
                    var fields = PhoneCodeCommand.fields(code)
                    fields["lockCount"] = .int(Int64(code.lockCount))
                    try out.line(PhoneCodeCommand.summary(code), fields)
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a keypad code (Add Keypad Code).")
        @Argument(help: "The code: six digits 1–9, not starting with 12.") var code: String
        @Option(help: "The code's name (up to 20 bytes).") var name: String
        @OptionGroup var restriction: RestrictionOptions
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func validate() throws {
            _ = try PhoneCodeCommand.check(code)
            try PhoneNames.check(name, option: "--name", width: FixedName.shortNameWidth)
        }

        func run() throws {
            let value = try PhoneCodeCommand.check(code)
            let rights = try restriction.restriction()
            let securityPIN = try pin.resolve()
            let name = FixedName(self.name, width: FixedName.shortNameWidth)
            try PhoneSession.run(options, discovery) { session, out in
                let replies = try session.request(.addKeypadCode, securityPIN, finalCommands: [.keypadCodeID]) {
                    .addKeypadCode(AddKeypadCode(code: value, name: name, restriction: rights, challenge: $0, securityPIN: $1))
                }
                guard case .keypadCodeID(let id)? = replies.last else { throw PhoneFailure(reason: "no Keypad Code ID") }
                try out.accepted("code id \(id.codeID), \(RestrictionOptions.describe(rights))", [
                    "codeID": .int(Int64(id.codeID)), "restriction": RestrictionOptions.json(rights),
                ])
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a keypad code's digits, name or limits (Update Keypad Code); --always lifts its limits.")
        @Argument(help: "The code id (see `code list`).") var codeID: UInt16
        @Option(help: "New digits: six digits 1–9, not starting with 12.") var code: String?
        @Option(help: "A new name (up to 20 bytes).") var name: String?
        @Flag(help: "Remove every time limit.") var always = false
        @OptionGroup var restriction: RestrictionOptions
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func validate() throws {
            if let code { _ = try PhoneCodeCommand.check(code) }
            if let name { try PhoneNames.check(name, option: "--name", width: FixedName.shortNameWidth) }
            if always, restriction.isGiven { throw ValidationError("--always lifts every limit: give it without --from, --until, --weekdays or --window") }
            guard code != nil || name != nil || always || restriction.isGiven else {
                throw ValidationError("nothing to update: give --code, --name, --always, --from, --until, --weekdays or --window")
            }
        }

        func run() throws {
            let digits = try code.map(PhoneCodeCommand.check)
            let rights: TimeRestriction? = always ? .unrestricted : (restriction.isGiven ? try restriction.restriction() : nil)
            let name = self.name.map { FixedName($0, width: FixedName.shortNameWidth) }
            try PhoneCodeCommand.update(codeID, try pin.resolve(), options, discovery) { entry in
                if let digits { entry.code = digits }
                if let name { entry.name = name }
                if let rights { entry.restriction = rights }
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a keypad code.")
        @Argument(help: "The code id.") var codeID: UInt16
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions
        func run() throws { try PhoneCodeCommand.update(codeID, try pin.resolve(), options, discovery) { $0.enabled = true } }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a keypad code (kept, refused with K_ERROR_DISABLED).")
        @Argument(help: "The code id.") var codeID: UInt16
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions
        func run() throws { try PhoneCodeCommand.update(codeID, try pin.resolve(), options, discovery) { $0.enabled = false } }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a keypad code (Remove Keypad Code).")
        @Argument(help: "The code id.") var codeID: UInt16
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            let securityPIN = try pin.resolve()
            let codeID = self.codeID
            try PhoneSession.run(options, discovery) { session, out in
                _ = try session.request(.removeKeypadCode, securityPIN) {
                    .removeKeypadCode(RemoveKeypadCode(codeID: codeID, challenge: $0, securityPIN: $1))
                }
                try out.accepted("code id \(codeID) removed", ["codeID": .int(Int64(codeID))])
            }
        }
    }
}
