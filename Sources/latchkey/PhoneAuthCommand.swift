import ArgumentParser
import Foundation
import LockCrypto
import LockEmulator
import LockSession
import LockWire

/// `latchkey phone auth list|invite|update|enable|disable|revoke`: the lock's authorizations (Nuki
/// BLE API 2.1 §"Request Authorization Entries" 0x0009, §"Authorization Data (Invite)" 0x000B,
/// §"Update Authorization Entry" 0x0025, §"Remove Authorization Entry" 0x0008; all ECP).
struct PhoneAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "List, invite, limit, enable, disable and revoke the lock's authorizations (rights).",
        subcommands: [List.self, Invite.self, Update.self, Enable.self, Disable.self, Revoke.self])

    /// Every authorization, read page by page (Authorization Entry Count, then the entries).
    static func entries(_ session: PhoneSession, _ pin: PhonePIN) throws -> [AuthorizationEntry] {
        var entries: [AuthorizationEntry] = []
        var total = Int.max
        while entries.count < total {
            let offset = UInt16(clamping: entries.count)
            let replies = try session.request(.requestAuthorizationEntries, pin) {
                .requestAuthorizationEntries(RequestAuthorizationEntries(offset: offset, count: 20, challenge: $0, securityPIN: $1))
            }
            var page = 0
            for reply in replies {
                if case .authorizationEntryCount(let count) = reply { total = Int(count.count) }
                if case .authorizationEntry(let entry) = reply {
                    entries.append(entry)
                    page += 1
                }
            }
            if page == 0 { break }
        }
        return entries
    }

    /// The entry of `authID`; K_ERROR_INVALID_AUTH_ID (as the lock would answer) when there is none.
    static func entry(_ authID: UInt32, _ session: PhoneSession, _ pin: PhonePIN) throws -> AuthorizationEntry {
        guard let entry = try entries(session, pin).first(where: { $0.authID == authID }) else {
            throw PhoneRefusal(code: .invalidAuthID)
        }
        return entry
    }

    /// Update Authorization Entry with the entry's fields changed by `change`.
    static func update(
        _ authID: UInt32, _ pin: PhonePIN, _ options: PeripheralOptions, _ discovery: DiscoveryOptions,
        _ change: @escaping (inout AuthorizationEntry) -> Void
    ) throws {
        try PhoneSession.run(options, discovery) { session, out in
            var entry = try entry(authID, session, pin)
            change(&entry)
            let updated = entry
            _ = try session.request(.updateAuthorizationEntry, pin) {
                .updateAuthorizationEntry(UpdateAuthorizationEntry(
                    authID: updated.authID, name: updated.name, enabled: updated.enabled, remoteAllowed: updated.remoteAllowed,
                    restriction: updated.restriction, challenge: $0, securityPIN: $1))
            }
            try out.accepted(summary(updated), fields(updated))
        }
    }

    /// `auth 3 fob "Fob" enabled, Mon 09:00–12:00`.
    static func summary(_ entry: AuthorizationEntry) -> String {
        "auth \(entry.authID) \(typeName(entry.idType)) \"\(entry.name.text)\" \(entry.enabled ? "enabled" : "disabled")"
            + (entry.idType == .bridge ? (entry.remoteAllowed ? ", remote allowed" : ", no remote") : "")
            + ", \(RestrictionOptions.describe(entry.restriction))"
    }

    static func fields(_ entry: AuthorizationEntry) -> [String: PhoneValue] {
        [
            "authID": .int(Int64(entry.authID)), "idType": .string(typeName(entry.idType)), "name": .string(entry.name.text),
            "enabled": .bool(entry.enabled), "remoteAllowed": .bool(entry.remoteAllowed),
            "restriction": RestrictionOptions.json(entry.restriction),
        ]
    }

    /// `app`, `bridge`, `fob`, `keypad`…: the ID type's name in lower case.
    static func typeName(_ type: IDType) -> String {
        (type.name ?? "\(type)").lowercased()
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the authorizations.")
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            let securityPIN = try pin.resolve()
            try PhoneSession.run(options, discovery) { session, out in
                for entry in try PhoneAuthCommand.entries(session, securityPIN) {
                    var fields = PhoneAuthCommand.fields(entry)
                    fields["lockCount"] = .int(Int64(entry.lockCount))
                    fields["dateCreated"] = .string(entry.dateCreated.isUnset ? "" : "\(entry.dateCreated)Z")
                    fields["dateLastActive"] = .string(entry.dateLastActive.isUnset ? "" : "\(entry.dateLastActive)Z")
                    try out.line(PhoneAuthCommand.summary(entry), fields)
                }
            }
        }
    }

    /// Invites a new client: the phone makes a shared key, the lock stores it and answers
    /// Authorization-ID (Invite); the invitee's state file (`--out`, mode 0600) holds that key and
    /// id, so `latchkey keypad|fob|phone --state FILE` works at once without pairing.
    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invite", abstract: "Invite a phone, keypad or fob (Authorization Data (Invite)); writes its state file.")
        @Option(help: "The invitee's name (up to 32 bytes).") var name: String
        @Option(help: "The invitee: app, keypad or fob.") var type: String = "app"
        @Option(help: ArgumentHelp("The invitee's new state file (must not exist).", valueName: "file")) var out: String
        @OptionGroup var restriction: RestrictionOptions
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        /// The Nuki ID type of each invitee kind.
        static func idType(_ kind: PeripheralKind) -> IDType {
            switch kind {
            case .app: .app
            case .keypad: .keypad
            case .fob: .fob
            }
        }

        func validate() throws {
            try PhoneNames.check(name, option: "--name", width: FixedName.nameWidth)
            guard PeripheralKind(rawValue: type) != nil else { throw ValidationError("--type is app, keypad or fob, not \(type)") }
            guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("--out \(out) exists: choose a new file") }
        }

        func run() throws {
            let securityPIN = try pin.resolve()
            let rights = try restriction.restriction()
            let kind = PeripheralKind(rawValue: type) ?? .app
            let idType = Self.idType(kind)
            _ = try PeripheralCredentialsFile.prepare(out)
            let output = PhoneOutput(format: options.format)
            let session = try PhoneSession(options, discovery, pairing: false)
            let random = SystemRandomSource()
            guard let key = Bytes32(random.bytes(count: Bytes32.byteCount)), let credentials = session.credentials else {
                throw PhoneFailure(reason: "cannot make a shared key")
            }
            let name = FixedName(self.name, width: FixedName.nameWidth)
            try output.run {
                let replies = try session.request(.authorizationDataInvite, securityPIN, finalCommands: [.authorizationIDInvite]) {
                    .authorizationDataInvite(AuthorizationDataInvite(
                        name: name, idType: idType, sharedKey: key, remoteAllowed: false, restriction: rights, challenge: $0, securityPIN: $1))
                }
                guard case .authorizationIDInvite(let invited)? = replies.last else { throw PhoneFailure(reason: "no Authorization-ID (Invite)") }
                var file = PeripheralCredentialsFile(kind: kind, clientID: invited.authID, name: self.name, random: random)
                file.authID = invited.authID
                file.sharedKey = Hex.encode(key.bytes)
                file.lockPublicKey = credentials.lockPublicKey
                file.lockUUID = credentials.lockUUID
                file.lockAddress = session.lockAddress
                try file.save(out)
                try output.accepted("invited \(type) \"\(self.name)\" as auth \(invited.authID), state in \(out)", [
                    "authID": .int(Int64(invited.authID)), "idType": .string(type), "name": .string(self.name), "state": .string(out),
                ])
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Rename or limit an authorization (Update Authorization Entry); --always lifts its limits.")
        @Argument(help: "The auth id (see `auth list`).") var authID: UInt32
        @Option(help: "A new name (up to 32 bytes).") var name: String?
        @Flag(help: "Remove every time limit.") var always = false
        @OptionGroup var restriction: RestrictionOptions
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func validate() throws {
            if let name { try PhoneNames.check(name, option: "--name", width: FixedName.nameWidth) }
            if always, restriction.isGiven { throw ValidationError("--always lifts every limit: give it without --from, --until, --weekdays or --window") }
            guard name != nil || always || restriction.isGiven else {
                throw ValidationError("nothing to update: give --name, --always, --from, --until, --weekdays or --window")
            }
        }

        func run() throws {
            let securityPIN = try pin.resolve()
            let rights: TimeRestriction? = always ? .unrestricted : (restriction.isGiven ? try restriction.restriction() : nil)
            let name = self.name.map { FixedName($0, width: FixedName.nameWidth) }
            try PhoneAuthCommand.update(authID, securityPIN, options, discovery) { entry in
                if let name { entry.name = name }
                if let rights { entry.restriction = rights }
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable an authorization.")
        @Argument(help: "The auth id.") var authID: UInt32
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions
        func run() throws { try PhoneAuthCommand.update(authID, try pin.resolve(), options, discovery) { $0.enabled = true } }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an authorization (kept, refused with K_ERROR_DISABLED).")
        @Argument(help: "The auth id.") var authID: UInt32
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions
        func run() throws { try PhoneAuthCommand.update(authID, try pin.resolve(), options, discovery) { $0.enabled = false } }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an authorization (Remove Authorization Entry).")
        @Argument(help: "The auth id.") var authID: UInt32
        @OptionGroup var pin: PhonePINOptions
        @OptionGroup var options: PeripheralOptions
        @OptionGroup var discovery: DiscoveryOptions

        func run() throws {
            let securityPIN = try pin.resolve()
            let authID = self.authID
            try PhoneSession.run(options, discovery) { session, out in
                _ = try session.request(.removeAuthorizationEntry, securityPIN) {
                    .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: authID, challenge: $0, securityPIN: $1))
                }
                try out.accepted("auth \(authID) revoked", ["authID": .int(Int64(authID))])
            }
        }
    }
}
