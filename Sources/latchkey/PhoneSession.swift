import ArgumentParser
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire
import PrivateFiles

/// The owner's phone (ID type app, an admin) connected to its lock: loads the phone's own state
/// file (``PeripheralCredentialsFile`` of kind `app`, mode 0600), reaches the lock like the keypad
/// and fob commands (``PeripheralSession/connect(_:_:address:pairing:)``), and runs requests one
/// after another on that one connection through the library's ``LockEmulator/AdminClient``.
final class PhoneSession {
    /// The state file's `kind` for a phone.
    static let kind = PeripheralKind.app

    let options: PeripheralOptions
    private(set) var file: PeripheralCredentialsFile
    private(set) var admin: AdminClient
    let client: PeripheralClient
    /// True when the last request was ACCEPTED but its Status COMPLETE never came and its
    /// replies end with the Keyturner States read back (``PeripheralFeedback/readBack(_:lockState:)``).
    private(set) var completeMissing = false

    /// Loads the state file and connects. Unless `pairing`, the phone must be paired (else a usage
    /// error, exit 64, before anything is sent); a paired phone goes back to the lock it paired
    /// with (socket link) unless `--address` says otherwise. `name` renames the phone for pairing.
    /// The phone speaks the lock's wire context, found in its GATT table
    /// (``LockEmulator/PeripheralClient/wireContext``): an Ultra pairs the Ultra way.
    init(_ options: PeripheralOptions, _ discovery: DiscoveryOptions, pairing: Bool, name: String? = nil) throws {
        self.options = options
        var file = try Self.load(options.state)
        let credentials = try file.credentials()
        if !pairing && credentials == nil {
            throw ValidationError("this phone is not paired: run `latchkey phone pair --state \(options.state)` first")
        }
        if pairing { file.name = name ?? (credentials == nil ? "Phone" : file.name) }
        let keyPair = try file.keyPair()
        let address = options.address ?? (pairing || options.bluezAdapter != nil ? nil : file.lockAddress)
        client = try PeripheralSession.connect(options, discovery, address: address, pairing: pairing)
        admin = AdminClient(
            appID: file.clientID, name: file.name, keyPair: keyPair, random: SystemRandomSource(),
            credentials: pairing ? nil : credentials, context: client.wireContext)
        self.file = file
    }

    deinit { client.close() }

    /// Connects the paired phone and runs `body` with it and its output, a refusal or a failed
    /// flow reported as ``PhoneOutput/run(_:)`` does (exit 1).
    static func run(_ options: PeripheralOptions, _ discovery: DiscoveryOptions, _ body: (PhoneSession, PhoneOutput) throws -> Void) throws {
        let out = PhoneOutput(format: options.format)
        let session = try PhoneSession(options, discovery, pairing: false)
        try out.run { try body(session, out) }
    }

    /// The phone's state file at `path`, checked as the keypad's and fob's are
    /// (``PeripheralCredentialsFile/prepare(_:owner:)``), or a new unpaired phone when there is
    /// none. Another peripheral's file is a usage error.
    static func load(_ path: String) throws -> PeripheralCredentialsFile {
        let inspection = try PeripheralCredentialsFile.prepare(path)
        if let warning = inspection.warning { Diagnostics.print(warning) }
        guard inspection.exists else { return PeripheralSession.newFile(kind: kind) }
        let file = try PeripheralCredentialsFile.load(path)
        guard file.kind == kind else { throw ValidationError("\(path) is a \(file.kind)'s state file, not a phone's") }
        return file
    }

    /// The phone's app id (the id field of its Authorization Data, and of its Lock Actions).
    var appID: UInt32 { file.clientID }

    /// The credentials of the paired phone (nil only before ``pair()``).
    var credentials: ClientCredentials? { admin.credentials }

    /// The discovery address of the lock the phone paired with (socket link), if known.
    var lockAddress: String? { file.lockAddress }

    /// Whether the lock pairs the Smart Lock Ultra way (its GATT table has the Ultra pairing GDIO).
    var pairsTheUltraWay: Bool { client.variant == .ultra }

    /// Pairs (the lock must be in pairing mode) and saves the credentials; the feedback.
    /// `securityPIN`: the lock's 6-digit PIN, sent only by the Ultra pairing (`docs/wire.md` §3.4).
    func pair(securityPIN: UInt32? = nil) throws -> [PeripheralFeedback] {
        let feedback = try client.run(&admin, start: admin.pair(securityPIN: securityPIN), timeout: PeripheralSession.answerTimeout)
        if let paired = admin.credentials {
            file.store(paired)
            if options.bluezAdapter == nil { file.lockAddress = client.lockAddress }
            try file.save(options.state)
        }
        return feedback
    }

    /// Runs `request` to its end and returns every message the lock sent for it (the last one
    /// ends it). Throws ``PhoneRefusal`` when the lock answers with an Error Report, and
    /// ``PhoneFailure`` when the flow fails (a reply that does not verify, no answer).
    func request(_ request: ClientRequest) throws -> [NukiMessage] {
        completeMissing = false
        admin.completeGraceMilliseconds = options.completeGraceMilliseconds
        let feedback = try client.run(&admin, start: admin.send(request), timeout: PeripheralSession.answerTimeout)
        try note(admin.lastReplies)
        for item in feedback {
            switch item {
            case .accepted: return admin.lastReplies
            case .readBack:
                completeMissing = true
                return admin.lastReplies
            case .refused(let code): throw PhoneRefusal(code: code)
            case .failed(let error):
                if case .refused(let code) = error.code { throw PhoneRefusal(code: code) }
                throw PhoneFailure(reason: error.reason)
            default: continue
            }
        }
        throw PhoneFailure(reason: "the lock gave no outcome for \(request.command)")
    }

    /// The bell: the first Keyturner States with the critical-battery bit after a good battery add
    /// one notification to the state file; a good battery re-arms it. Saved only when it changed.
    func note(_ replies: [NukiMessage]) throws {
        let before = file.batteryAlerted ?? false
        var alerted = before
        let percents = PhoneNotification.batteryAlerts(in: replies, alerted: &alerted)
        guard alerted != before || !percents.isEmpty else { return }
        file.batteryAlerted = alerted
        let now = LockServer.wallClock().description
        file.notifications = (file.notifications ?? []) + percents.map {
            PhoneNotification(event: "batteryCritical", message: "battery critical (\($0) %): replace the batteries", time: now)
        }
        if file.notifications?.isEmpty == true { file.notifications = nil }
        try file.save(options.state)
    }

    /// Records that the phone is in the lock's range (true) or away (false).
    func setInRange(_ inRange: Bool) throws {
        file.inRange = inRange
        try file.save(options.state)
    }

    /// Empties the notification list.
    func clearNotifications() throws {
        file.notifications = nil
        try file.save(options.state)
    }

    /// Runs a PIN-protected request (ECP) built with the challenge and `pin` in this lock's width
    /// (``securityPIN(_:)``, which throws before anything is sent).
    func request(
        _ command: Command, _ pin: PhonePIN, finalCommands: Set<Command> = [],
        _ build: @escaping @Sendable (Bytes32, SecurityPIN) -> NukiMessage
    ) throws -> [NukiMessage] {
        let wirePIN = try securityPIN(pin)
        return try request(ClientRequest(command: command, needsChallenge: true, finalCommands: finalCommands) { nonce in build(nonce, wirePIN) })
    }

    /// `pin` in the width of this lock's PIN field, which its GATT table tells
    /// (``LockEmulator/PeripheralClient/wireContext``; `docs/wire.md` §3.5): a u16 of at most 4
    /// digits for Smart Locks 1.0–4th gen and Go 4.x, a u32 of at most 6 for a Smart Lock Ultra or
    /// Go 5.x. Throws a usage error (exit 64) naming the PIN's source, never its value, when it does
    /// not fit this lock.
    func securityPIN(_ pin: PhonePIN) throws -> SecurityPIN {
        let width = client.wireContext.securityPINWidth
        guard pin.digits <= width.digits, let wirePIN = SecurityPIN(pin.value, width: width) else {
            // Only a 4-digit lock can refuse a PIN that parsed (1–6 digits).
            throw ValidationError("the security PIN from \(pin.source) is not a number from 0 to 9999 (4 digits, one line): this lock's PIN has 4 digits (6: Smart Lock Ultra, Go 5.x)")
        }
        return wirePIN
    }
}

/// The lock refused a request with an Error Report: printed as `phone: refused: K_ERROR_…`, exit 1.
struct PhoneRefusal: Error {
    var code: NukiErrorCode
    /// The error's name in the Nuki API (`K_ERROR_BAD_PIN`), or its hex value when undocumented.
    var name: String { code.name ?? code.description }
}

/// A request that failed without an answer from the lock's logic (exit 1, diagnostic on stderr).
struct PhoneFailure: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// A value in a phone command's result: text for people, JSON for scripts.
enum PhoneValue: Encodable, Equatable, Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case strings([String])
    case object([String: PhoneValue])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .int(let i): try container.encode(i)
        case .bool(let b): try container.encode(b)
        case .strings(let list): try container.encode(list)
        case .object(let object): try container.encode(object)
        }
    }

    /// The text form: numbers in decimal, booleans as on/off, lists comma-separated.
    var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "on" : "off"
        case .strings(let list): return list.joined(separator: ",")
        case .object(let object): return object.keys.sorted().map { "\($0)=\(object[$0]?.text ?? "")" }.joined(separator: " ")
        }
    }
}

/// Prints the phone's results (text lines or JSON Lines, keys sorted) and maps outcomes to exit
/// statuses: 0 done, 1 refused by the lock (the line names the error) or failed.
struct PhoneOutput {
    let format: OutputFormat

    /// One result line: `text` in text form; in JSON `{"device":"phone", …fields}`.
    func line(_ text: String, _ fields: [String: PhoneValue]) throws {
        switch format {
        case .text: try write(text)
        case .json:
            var object = fields
            object["device"] = .string("phone")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try write(String(decoding: try encoder.encode(object), as: UTF8.self))
        }
    }

    /// The line of a motor request the lock ACCEPTED whose COMPLETE never came, with the lock state
    /// read back: `phone: unlocked (COMPLETE not received; state read back)`, JSON `ok` true,
    /// `outcome` "read back", `lockState`. The command then exits
    /// ``FeedbackPrinter/completeMissingExitCode`` (3).
    func readBack(_ state: LockState) throws {
        let name = state.name ?? "\(state)"
        try line("phone: \(Demo.lowercasedName(state)) (COMPLETE not received; state read back)", [
            "ok": .bool(true), "outcome": .string("read back"), "lockState": .string(name), "completeReceived": .bool(false),
        ])
    }

    /// The line of a request the lock completed: `phone: accepted[ (detail)]`.
    func accepted(_ detail: String? = nil, _ fields: [String: PhoneValue] = [:]) throws {
        var object = fields
        object["ok"] = .bool(true)
        object["outcome"] = .string("accepted")
        try line("phone: accepted" + (detail.map { " (\($0))" } ?? ""), object)
    }

    private func write(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            Diagnostics.print("cannot write results: \(error.localizedDescription)")
            throw ExitCode.failure
        }
    }

    /// Runs `body`; a refusal by the lock becomes `phone: refused: K_ERROR_…` (JSON: `ok` false,
    /// `outcome`, `error`) and exit 1; a failed flow a diagnostic and exit 1.
    func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let refusal as PhoneRefusal {
            try line("phone: refused: \(refusal.name)", [
                "ok": .bool(false), "outcome": .string("refused: \(refusal.name)"), "error": .string(refusal.name),
            ])
            throw ExitCode.failure
        } catch let failure as PhoneFailure {
            Diagnostics.print("phone: \(failure.reason)")
            throw ExitCode.failure
        } catch let failure as PeripheralClient.Failure {
            Diagnostics.print("phone: \(failure.reason)")
            throw ExitCode.failure
        }
    }
}

/// A security PIN as given on the command line, before the lock says its width: at most 6 decimal
/// digits (0–999999). ``PhoneSession/securityPIN(_:)`` makes it the wire's u16 or u32.
struct PhonePIN: Sendable {
    /// The PIN as a number.
    var value: UInt32
    /// How many digits were given (leading zeros count).
    var digits: Int
    /// Where it came from (`--pin`, `LATCHKEY_PIN`, …), for messages; never the value.
    var source: String

    /// Parses `text` from `source`: 1–6 decimal digits and an optional final newline. Throws a usage
    /// error naming the source when it is anything else.
    static func parse(_ text: String, from source: String) throws -> PhonePIN {
        let value: UInt32
        do {
            value = try LockServeCommand.parseSecurityPIN(text, from: source, digits: 6)
        } catch {
            throw ValidationError("the security PIN from \(source) is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line")
        }
        return PhonePIN(value: value, digits: LockServeCommand.securityPINDigits(text).count, source: source)
    }
}

/// Where an admin command gets the lock's security PIN (Nuki BLE API 2.x §"Security PIN Handling",
/// `docs/wire.md` §3.5): `--pin`, `--pin-file`, `--pin-stdin` or `LATCHKEY_PIN`, exactly one; with
/// none and a terminal on stdin, it asks without echo. The PIN is never printed or logged; a
/// malformed one is a usage error (exit 64) naming its source, not its value, before anything is
/// sent. Its width comes from the lock (4 digits, or 6 for a Smart Lock Ultra or Go 5.x): a PIN too
/// long for the lock found is the same usage error after the GATT discovery, still before any
/// request.
struct PhonePINOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The lock's security PIN (0-9999; a Smart Lock Ultra's or Go 5.x's 0-999999). Other users see it in `ps`: prefer --pin-file, LATCHKEY_PIN or --pin-stdin.",
        valueName: "pin"))
    var pin: String?

    @Option(name: .customLong("pin-file"), help: ArgumentHelp(
        "Read the security PIN from this file (a regular file; one number, an optional newline).", valueName: "file"))
    var pinFile: String?

    @Flag(name: .customLong("pin-stdin"), help: "Read the security PIN from standard input.")
    var pinStdin = false

    /// The environment variable that may hold the security PIN.
    static let variable = "LATCHKEY_PIN"

    /// The sources given, in option order.
    func sources(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        Self.sources(pin: pin, pinFile: pinFile, pinStdin: pinStdin, environment)
    }

    /// The PIN sources given, in option order (shared with ``PhonePairingPINOptions``).
    static func sources(pin: String?, pinFile: String?, pinStdin: Bool, _ environment: [String: String]) -> [String] {
        var sources: [String] = []
        if pin != nil { sources.append("--pin") }
        if pinFile != nil { sources.append("--pin-file") }
        if pinStdin { sources.append("--pin-stdin") }
        if environment[variable] != nil { sources.append(variable) }
        return sources
    }

    func validate() throws {
        let given = sources()
        guard given.count <= 1 else { throw ValidationError("give the security PIN one way only, not \(given.joined(separator: " and "))") }
        if let pin { _ = try PhonePIN.parse(pin, from: "--pin") }
        if let text = ProcessInfo.processInfo.environment[Self.variable], given == [Self.variable] {
            _ = try PhonePIN.parse(text, from: Self.variable)
        }
    }

    /// The PIN from the one source given (read before anything is sent). Throws a usage error when
    /// it is malformed or missing.
    func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PhonePIN {
        guard let pin = try Self.read(pin: pin, pinFile: pinFile, pinStdin: pinStdin, environment) else {
            throw ValidationError("this command needs the lock's security PIN: give --pin, --pin-file, --pin-stdin or \(Self.variable)")
        }
        return pin
    }

    /// The PIN from `--pin`, `--pin-file`, `--pin-stdin`, `LATCHKEY_PIN`, else typed at the
    /// terminal; nil when none is given and stdin is no terminal. Throws a usage error naming the
    /// source when it is malformed (``PhonePIN/parse(_:from:)``), or the file cannot be read.
    static func read(pin: String?, pinFile: String?, pinStdin: Bool, _ environment: [String: String]) throws -> PhonePIN? {
        if let pin { return try PhonePIN.parse(pin, from: "--pin") }
        if let pinFile { return try PhonePIN.parse(try LockServeCommand.readSecurityPINFile(pinFile), from: "--pin-file \(pinFile)") }
        if pinStdin { return try PhonePIN.parse(LockServeCommand.readSecurityPINStandardInput(), from: "standard input (--pin-stdin)") }
        if let text = environment[variable] { return try PhonePIN.parse(text, from: variable) }
        if isatty(STDIN_FILENO) == 1, let typed = getpass("Security PIN: ") {
            return try PhonePIN.parse(String(cString: typed), from: "the terminal")
        }
        return nil
    }
}

/// Where `phone pair` gets the lock's security PIN when the lock pairs the Smart Lock Ultra way
/// (Authorization Data carries the 6-digit PIN, Nuki BLE API 2.3.0 §3.4): the sources of
/// ``PhonePINOptions``, read only after the GATT discovery showed an Ultra (a standard lock's
/// pairing sends no PIN, and the PIN given is not read).
struct PhonePairingPINOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The security PIN of a Smart Lock Ultra or Go 5.x (6 digits, 0-999999), which pairs with it; unused by other locks. Other users see it in `ps`: prefer --pin-file, LATCHKEY_PIN or --pin-stdin.",
        valueName: "pin"))
    var pin: String?

    @Option(name: .customLong("pin-file"), help: ArgumentHelp(
        "Read the security PIN from this file (a regular file; one number, an optional newline).", valueName: "file"))
    var pinFile: String?

    @Flag(name: .customLong("pin-stdin"), help: "Read the security PIN from standard input.")
    var pinStdin = false

    func validate() throws {
        let given = PhonePINOptions.sources(pin: pin, pinFile: pinFile, pinStdin: pinStdin, ProcessInfo.processInfo.environment)
        guard given.count <= 1 else { throw ValidationError("give the security PIN one way only, not \(given.joined(separator: " and "))") }
        if let pin { _ = try LockServeCommand.parseSecurityPIN(pin, from: "--pin", digits: 6) }
    }

    /// The Ultra's 6-digit PIN from the one source given. Throws a usage error when it is malformed
    /// or missing.
    func resolveUltra(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> UInt32 {
        guard let pin = try PhonePINOptions.read(pin: pin, pinFile: pinFile, pinStdin: pinStdin, environment) else {
            throw ValidationError(
                "this lock pairs the Smart Lock Ultra way, which needs its 6-digit security PIN: give --pin, --pin-file, --pin-stdin or \(PhonePINOptions.variable)")
        }
        return pin.value
    }
}
