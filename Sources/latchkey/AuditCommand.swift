import ArgumentParser
import BLETransport
import Foundation
import LockAudit
import LockCrypto
import LockEmulator
import LockSession
import LockWire

/// `latchkey audit`: the cases of `docs/attacks.md` §B that can be judged from outside, run against a
/// live lock over the socket link or real Bluetooth (``LockAudit``). This command only parses the
/// options, resolves the target and the credentials, and prints the report.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit a live lock: run the docs/attacks.md §B cases against it over the link.",
        discussion: """
            Each case is PASS, FAIL (with the frames sent and received as evidence) or SKIPPED with the \
            reason. Exit 0 when every case run passed, 1 when one failed, 64 on a usage error, 77 when \
            the target stopped answering. Credentials: --pair pairs the auditor's own app, keypad and fob \
            (the target must be in pairing mode; for Latchkey's own lock on the socket link the auditor \
            presses its button, as `latchkey lock press-button` does), or --admin-state/--keypad-state/\
            --fob-state reuse clients already paired (with --pair, missing files are paired and saved).
            """)

    @Option(help: ArgumentHelp("The lock: socket, socket:ADDRESS, socket:PATH, bluez:hciN or bluez:hciN/ADDRESS.", valueName: "target"))
    var target: String = "socket"

    @Option(name: .customLong("case"), help: ArgumentHelp(
        "A case id (P-01, AU-01…) or group (parsing, crypto, pairing, authorization, pin, state, or B1…B9); repeatable. Default: all.",
        valueName: "id|group"))
    var cases: [String] = []

    @Option(help: "Report format: text, json or junit (JUnit XML).")
    var format: String = "text"

    @Option(help: ArgumentHelp("Write the report here instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Skip the cases that would take the audit past this many seconds.", valueName: "seconds"))
    var budget: Double?

    @OptionGroup var clients: ClientCredentialOptions

    @Option(help: ArgumentHelp(
        "The lock's security PIN (needed by the cases that compare the lock's state or need an admin write, and to pair with a Smart Lock Ultra or Go 5.x): 0-9999, or 0-999999 for a lock that pairs the Ultra way.",
        valueName: "pin"))
    var securityPIN: UInt32?

    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        do {
            _ = try AuditTarget(parsing: target)
            _ = try AuditCase.select(cases)
        } catch {
            throw ValidationError(error.description)
        }
        guard AuditReport.Format(rawValue: format) != nil else { throw ValidationError("--format is text, json or junit, not \(format)") }
        if let budget, !(budget.isFinite && budget > 0 && budget <= 86_400) {
            throw ValidationError("--budget is a number of seconds above 0 and at most 86400")
        }
        if let securityPIN, securityPIN > 999_999 { throw ValidationError("--security-pin is 0 to 9999, or 0 to 999999 for a lock that pairs the Smart Lock Ultra way") }
    }

    func run() throws {
        let target = try AuditTarget(parsing: target)
        let selected = try AuditCase.select(cases)
        let format = AuditReport.Format(rawValue: format) ?? .text
        let resolved = ResolvedTarget(target: target, folder: discovery.folder)
        let random = SystemRandomSource()
        var options = AuditOptions(
            budget: budget.map { .milliseconds(Int64($0 * 1000)) }, isPairingMode: resolved.isPairingMode,
            pressButton: resolved.pressButton, random: random)
        let credentials: [AuditRole: ClientCredentials]
        do {
            credentials = try clients.load(target: resolved, securityPIN: securityPIN, options: &options)
        } catch let error as ValidationError {
            throw error
        } catch let error as TargetUnreachable {
            Diagnostics.print("\(error)")
            throw ExitCode(77)
        } catch {
            Diagnostics.print("\(error)")
            throw ExitCode.failure
        }
        let context = AuditContext(connect: resolved.connect, credentials: credentials, options: options, oneLinkAtATime: target.oneLinkAtATime)
        let report = LockAuditor.run(selected, context: context, target: target.description)
        let text = report.rendered(format)
        do {
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                print(report.summary)
            } else {
                try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
            }
        } catch {
            Diagnostics.print("cannot write the report: \(error)")
            throw ExitCode.failure
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

/// An ``AuditTarget`` resolved to a way of connecting, and where the transport allows, of seeing
/// its advertising mode and pressing its button.
struct ResolvedTarget {
    let target: AuditTarget
    let folder: DiscoveryFolder

    /// The discovery record of a socket-link target (by address, or the first).
    func device() -> DiscoveredDevice? {
        let devices = DiscoveryScanner(folder: folder).scan()
        switch target {
        case .socket(.first): return devices.first
        case .socket(.address(let address)): return devices.first { $0.record.address.description == address }
        case .socket(.path(let path)): return devices.first { $0.record.socket == path }
        case .bluez: return nil
        }
    }

    /// ``device()``, looking again for up to a second: the record is replaced when the advertising
    /// changes (pairing mode), so a scan can fall between the two.
    func deviceWaiting() -> DiscoveredDevice? {
        guard case .socket = target else { return nil }
        var found = device()
        let deadline = ContinuousClock.now + .seconds(1)
        while found == nil, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            found = device()
        }
        return found
    }

    /// A new GATT connection to the target.
    func connect() throws -> PeripheralClient {
        switch target {
        case .socket(.path(let path)):
            return try PeripheralClient(link: try SeqPacketLink.connect(path: path), capture: ProcessEnvironment.capture())
        case .socket:
            guard let device = deviceWaiting() else { throw TargetUnreachable(description: "no lock \(target) in \(folder.path)") }
            return try PeripheralClient(link: try SeqPacketLink.connect(path: device.record.socket), capture: ProcessEnvironment.capture())
        case .bluez(let adapter, let address):
            return try PeripheralClient(link: BlueZCentral.connect(adapter: adapter, address: address, pairing: false), capture: ProcessEnvironment.capture())
        }
    }

    /// The target's wire context, from the GATT table of one connection made for it
    /// (``LockEmulator/PeripheralClient/wireContext``): the PIN width and pairing flow of a Smart
    /// Lock Ultra or Go 5.x, else the standard ones. Throws ``LockAudit/TargetUnreachable`` when it
    /// cannot connect.
    func wireContext() throws -> WireContext {
        let client: PeripheralClient
        do { client = try connect() } catch let error as TargetUnreachable { throw error } catch {
            throw TargetUnreachable(description: "cannot connect to the target: \(error)")
        }
        defer { client.close() }
        return client.wireContext
    }

    /// `--security-pin` in the width of the target's PIN field (`docs/wire.md` §3.5): a u16 of 0–9999,
    /// or a u32 of 0–999999 for a lock that pairs the Smart Lock Ultra way. Throws a usage error
    /// (exit 64) when it is too large for the target.
    static func securityPIN(_ pin: UInt32, for context: WireContext) throws -> SecurityPIN {
        // `validate()` allowed 0–999999, so only a 4-digit lock can refuse it.
        guard let wirePIN = SecurityPIN(pin, width: context.securityPINWidth) else {
            throw ValidationError("--security-pin is 0 to 9999 for this lock (4 digits; 6 only for a Smart Lock Ultra or Go 5.x)")
        }
        return wirePIN
    }

    /// Whether the target advertises pairing mode (socket link: from its discovery record).
    func isPairingMode() -> Bool? {
        guard let nuki = device()?.nuki else { return nil }
        if case .pairing = nuki.mode { return true }
        return false
    }

    /// Presses the button of Latchkey's own lock (its control socket, else SIGUSR1 to the process
    /// in its discovery record) and waits for its pairing advertisement; nil for targets without a
    /// discovery record.
    var pressButton: (() throws -> Void)? {
        guard let record = deviceWaiting()?.record else { return nil }
        return {
            try LockPressButtonCommand.press(record, in: folder)
            Diagnostics.print("pressed the button of \(record.address) for pairing mode")
            let deadline = ContinuousClock.now + .seconds(3)
            while isPairingMode() != true, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        }
    }
}

/// The auditor's credential state files (`--admin-state`, `--keypad-state`, `--fob-state`).
struct AuditCredentialFiles {
    var admin: String?
    var keypad: String?
    var fob: String?

    static func kind(_ role: AuditRole) -> PeripheralKind {
        switch role {
        case .admin: .app
        case .keypad: .keypad
        case .fob: .fob
        }
    }

    func path(_ role: AuditRole) -> String? {
        switch role {
        case .admin: return admin
        case .keypad: return keypad
        case .fob: return fob
        }
    }

    /// The paired credentials found in the files; with `pairing`, the roles still missing are paired
    /// now (button pressed for each when the target allows; otherwise the first pairs in the
    /// pairing mode the target is in, and the admin invites the others) and saved. On a lock that
    /// pairs the Smart Lock Ultra way (`ultraPairing`) only the admin pairs, with the security PIN;
    /// the admin invites the keypad and the fob.
    func load(pairing: Bool, target: ResolvedTarget, options: AuditOptions, ultraPairing: Bool = false) throws -> [AuditRole: ClientCredentials] {
        var credentials: [AuditRole: ClientCredentials] = [:]
        var files: [AuditRole: PeripheralCredentialsFile] = [:]
        for role in AuditRole.allCases {
            guard let path = path(role), FileManager.default.fileExists(atPath: path) else { continue }
            let file = try PeripheralSession.load(path, kind: Self.kind(role))
            files[role] = file
            credentials[role] = try file.credentials()
        }
        guard pairing else { return credentials }
        for role in AuditRole.allCases where credentials[role] == nil {
            var file = files[role] ?? PeripheralSession.newFile(kind: Self.kind(role))
            let paired: ClientCredentials
            if role != .admin, target.pressButton == nil || ultraPairing, credentials[.admin] != nil {
                guard let invited = try invite(role, options: options, target: target, admin: credentials) else {
                    throw AuditPairing.Failure(description: "the admin could not invite a \(role.rawValue) (needs --security-pin)")
                }
                paired = invited
                Diagnostics.print("invited a \(role.rawValue) through the admin (auth id \(paired.authID))")
            } else {
                // Refused before the button is pressed: the lock is not left in pairing mode.
                if ultraPairing, let refusal = AuditPairing.ultraRefusal(role, securityPIN: options.securityPIN) { throw refusal }
                if let press = target.pressButton { try press() }
                let client: PeripheralClient
                do { client = try target.connect() } catch { throw TargetUnreachable(description: "cannot connect to the target: \(error)") }
                guard let done = try AuditPairing.pair(
                    role, clientID: file.clientID, keyPair: try file.keyPair(), via: client, random: options.random, securityPIN: options.securityPIN) else {
                    throw AuditPairing.Failure(description: "\(role.rawValue) pairing failed")
                }
                client.close()
                paired = done
                Diagnostics.print("paired the auditor's \(role.rawValue) (auth id \(paired.authID))")
            }
            credentials[role] = paired
            file.store(paired)
            if let path = path(role) { try file.save(path) }
        }
        return credentials
    }

    /// A keypad or fob invited by the admin (Authorization Data (Invite)).
    private func invite(_ role: AuditRole, options: AuditOptions, target: ResolvedTarget, admin: [AuditRole: ClientCredentials]) throws -> ClientCredentials? {
        let context = AuditContext(connect: target.connect, credentials: admin, options: options)
        defer { context.closeAll() }
        return try context.inviteKeeping(role == .fob ? .fob : .keypad)
    }
}

/// The outward commands' own clients (`latchkey audit`, `fuzz --target`, `replay`): an app (the
/// admin), a keypad and a fob, paired now with `--pair` or reused from their state files.
struct ClientCredentialOptions: ParsableArguments {
    @Flag(help: "Pair Latchkey's own app, keypad and fob with the target (it must be in pairing mode; Latchkey's own lock gets its button pressed).")
    var pair = false

    @Option(help: ArgumentHelp("State file of a paired app (admin) client to use (written after --pair).", valueName: "file"))
    var adminState: String?

    @Option(help: ArgumentHelp("State file of a paired keypad to use (written after --pair).", valueName: "file"))
    var keypadState: String?

    @Option(help: ArgumentHelp("State file of a paired fob to use (written after --pair).", valueName: "file"))
    var fobState: String?

    /// The credentials of the files given, pairing the missing ones with --pair. When `securityPIN`
    /// (`--security-pin`) or `--pair` needs it, the target's wire context is read first (one
    /// connection, ``ResolvedTarget/wireContext()``) and the PIN is set on `options` in its width
    /// (``ResolvedTarget/securityPIN(_:for:)``). Throws a usage error for a PIN too large for the
    /// target, ``LockAudit/TargetUnreachable``, or what
    /// ``AuditCredentialFiles/load(pairing:target:options:ultraPairing:)`` throws.
    func load(target: ResolvedTarget, securityPIN: UInt32?, options: inout AuditOptions) throws -> [AuditRole: ClientCredentials] {
        let wireContext = try securityPIN != nil || pair ? target.wireContext() : .smartLock
        options.securityPIN = try securityPIN.map { try ResolvedTarget.securityPIN($0, for: wireContext) }
        return try AuditCredentialFiles(admin: adminState, keypad: keypadState, fob: fobState)
            .load(pairing: pair, target: target, options: options, ultraPairing: wireContext.ultraPairing)
    }
}
