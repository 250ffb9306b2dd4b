import ArgumentParser
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockHost
import LockSession
import LockWire
import NukiProfile
import PrivateFiles
import Synchronization

/// `latchkey lock serve`: the emulated lock as a process, advertised in the discovery folder.
struct LockServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an emulated lock over GATT on the socket link until stopped.",
        discussion: """
            Loads the lock from --state when the file exists, otherwise creates a new lock (saved there \
            when given). Peripherals find it through the discovery folder. Events go to stdout as text \
            or JSON Lines. `latchkey lock press-button` (SIGUSR1) enters pairing mode.

            Device profiles (--model; the state file keeps the model and firmware):
            \(LockProfile.catalogue.map { "  " + $0 }.joined(separator: "\n"))
            """)

    @Option(help: ArgumentHelp(
        "The lock's state file (users, keys, codes, log; mode 0600). A symbolic link, FIFO, device or another user's file is refused, and so is a folder others may write to; one lock per file.",
        valueName: "file"))
    var state: String?

    @Flag(help: "Start in pairing mode (as if the button had been held 5 s).")
    var pairing = false

    @Option(help: "Transport: socket (Unix SOCK_SEQPACKET, discovery folder) or bluez:hciN (L2CAP LE CID 4 and HCI advertising on controller hciN; see `latchkey doctor`).")
    var transport: String = "socket"

    @Option(help: "Nuki ID of a new lock (8 hex digits; default random).")
    var nukiID: String?

    @Option(help: ArgumentHelp(
        "The device a new lock emulates: \(LockProfile.allCases.map(\.rawValue).joined(separator: ", ")) (default sl3; see the list below). A lock loaded from --state keeps its own.",
        valueName: "profile"))
    var model: LockProfile?

    @Option(help: ArgumentHelp(
        "Firmware of a new lock, X.Y.Z of the model's generation (default: the profile's; e.g. sl1 1.9.0 refuses Exchange MTU and serves one connection).",
        valueName: "X.Y.Z"))
    var firmware: String?

    @Option(help: ArgumentHelp(
        "Most connections served at once (default: the model's limit, 4 or 1 on old firmware, when --model is given; else 10000, so that Latchkey's multi-role tools such as fuzz --target, which holds up to 7 roles, and audit can connect to the default lock).",
        valueName: "n"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp(
        "Security PIN of a new lock (the model's digits: 4, 0-9999, default 1234; ultra and go 5.x 6, 0-999999, default 123456). Other users see it in `ps`: prefer --security-pin-file, LATCHKEY_SECURITY_PIN or --security-pin-stdin.",
        valueName: "pin"))
    var securityPIN: UInt32?

    @Option(name: .customLong("security-pin-file"), help: ArgumentHelp(
        "Read the security PIN of a new lock from this file (a regular file; one number, an optional newline).", valueName: "file"))
    var securityPINFile: String?

    @Flag(name: .customLong("security-pin-stdin"), help: "Read the security PIN of a new lock from standard input.")
    var securityPINStdin = false

    @Option(help: ArgumentHelp(
        "NFC relay time budget: refuse NFC taps answered more than this many milliseconds after the lock's challenge (0 removes it; kept in the state file).",
        valueName: "ms"))
    var nfcTimeBudget: Int64?

    @Option(parsing: .unconditional, help: "Stop after this many seconds (default: run until killed).")
    var duration: Double?

    @Option(
        name: .customLong("weaken"),
        help: ArgumentHelp(
            "TESTING ONLY, makes the lock INSECURE: reproduce one known flaw so that `latchkey audit` can be proven to catch it (repeatable). The lock warns on stderr and advertises as `Nuki_XXXXXXXX WEAK`. Flaws: \(Weakness.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "flaw"))
    var weaknesses: [Weakness] = []

    @Option(help: ArgumentHelp(
        "TESTING ONLY: serve a HOSTILE lock that sends corrupted replies, for testing clients (state in memory, advertised as WEAK). Modes: \(LockServeCommand.hostileModes.joined(separator: ", ")). See `latchkey fuzz-client`.",
        valueName: "mode"))
    var hostile: String?

    @Option(name: .customLong("seed"), help: "Seed of the hostile lock's keys, nonces and plans (with --hostile; default 1).")
    var hostileSeed: UInt64?

    @OptionGroup var discovery: DiscoveryOptions

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    @Option(name: .customLong("notify-command"), help: ArgumentHelp(
        "Run this command (/bin/sh -c) once per notification, the notification's JSON on stdin and LATCHKEY_EVENT set, like the owner's push or e-mail alert; retried up to 4 times.",
        valueName: "command"))
    var notifyCommand: String?

    @Option(name: .customLong("notify-url"), help: ArgumentHelp(
        "POST each notification's JSON to this http(s) URL, like a web account's webhook; retried up to 4 times on an error or a status outside 2xx.", valueName: "url"))
    var notifyURL: String?

    @Option(name: .customLong("notify-event"), help: ArgumentHelp(
        "An event to notify (its JSON name, e.g. batteryCritical, lockActionCompleted, doorSensorChanged, storageFailed; repeatable; `all` for every event). Default: batteryCritical.",
        valueName: "name"))
    var notifyEvents: [String] = []

    /// For tests of the journal's folding (issue 17's unwritable-folder test): the journal size in
    /// bytes from which the next commit writes a new snapshot (default 8 MiB; 0: every commit).
    @Option(name: .customLong("journal-compaction-bytes"), help: .hidden)
    var journalCompactionBytes: Int?

    /// The environment variable that may hold the security PIN.
    static let securityPINVariable = "LATCHKEY_SECURITY_PIN"
    /// The PIN of a new lock when no source gives one: 1234, or 123456 where the PIN has 6 digits.
    static func defaultSecurityPIN(_ model: LockModel) -> UInt32 { model.securityPINDigits == 6 ? 123_456 : 1234 }

    /// The new lock's model: `--model` (default sl3) on `--firmware`. Throws a usage error (exit 64)
    /// for a firmware that is not X.Y.Z or not the device's.
    func resolvedModel() throws -> LockModel {
        let profile = model ?? .sl3
        var version: FirmwareVersion?
        if let firmware {
            guard let parsed = LockProfile.parseFirmware(firmware) else { throw ValidationError("--firmware is X.Y.Z (each 0-255), not \(firmware)") }
            version = parsed
        }
        do {
            return try profile.model(firmware: version)
        } catch {
            throw ValidationError("--firmware: \(error.description)")
        }
    }

    /// The security PIN sources given: `--security-pin`, `--security-pin-file`,
    /// `--security-pin-stdin`, `LATCHKEY_SECURITY_PIN`.
    func securityPINSources(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var sources: [String] = []
        if securityPIN != nil { sources.append("--security-pin") }
        if securityPINFile != nil { sources.append("--security-pin-file") }
        if securityPINStdin { sources.append("--security-pin-stdin") }
        if environment[Self.securityPINVariable] != nil { sources.append(Self.securityPINVariable) }
        return sources
    }

    /// The security PIN in `text` from `source`: 1 to `digits` decimal digits (4: 0-9999, 6:
    /// 0-999999, ``LockCore/LockModel/securityPINDigits``) with an optional final newline. Throws a
    /// usage error (exit 64) naming the source, never echoing the text.
    static func parseSecurityPIN(_ text: String, from source: String, digits width: Int = 4) throws -> UInt32 {
        let digits = securityPINDigits(text)
        let maximum: UInt32 = width == 6 ? 999_999 : 9_999
        guard !digits.isEmpty, digits.count <= width, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let pin = UInt32(digits), pin <= maximum else {
            throw ValidationError("the security PIN from \(source) is not a number from 0 to \(maximum) (\(width) digits, one line)")
        }
        return pin
    }

    /// `text` without one final line break ("\n" or "\r\n"): the digits of a security PIN as
    /// ``parseSecurityPIN(_:from:digits:)`` reads them. (In Swift "\r\n" is one Character, so
    /// dropping two Characters would also drop the last digit.)
    static func securityPINDigits(_ text: String) -> Substring {
        let whole = Substring(text)
        return whole.hasSuffix("\r\n") || whole.hasSuffix("\n") ? whole.dropLast() : whole
    }

    /// A security PIN file's text: a regular file read without blocking (a FIFO is refused), at most
    /// 64 bytes. Throws ``PrivateFiles/PrivateFileError`` when it cannot be read so.
    static func readSecurityPINFile(_ path: String) throws -> String {
        String(decoding: try PrivateFiles.read(path, role: "security PIN file", maximumBytes: 64, owner: nil, followLinks: true), as: UTF8.self)
    }

    /// Up to 65 bytes of standard input (more is refused by ``parseSecurityPIN(_:from:)`` as not one
    /// number).
    static func readSecurityPINStandardInput() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64)
        while bytes.count <= 64 {
            let got = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The security PIN of a new lock, from the one source given (``securityPINSources(_:)``), or
    /// the default. A PIN file is read as a regular file without blocking (a FIFO is refused).
    func resolveSecurityPIN(_ environment: [String: String] = ProcessInfo.processInfo.environment, model: LockModel = .smartLock3) throws -> UInt32 {
        let digits = model.securityPINDigits
        if let securityPIN { return securityPIN }
        if let securityPINFile {
            return try Self.parseSecurityPIN(try Self.readSecurityPINFile(securityPINFile), from: "--security-pin-file \(securityPINFile)", digits: digits)
        }
        if securityPINStdin {
            return try Self.parseSecurityPIN(Self.readSecurityPINStandardInput(), from: "standard input (--security-pin-stdin)", digits: digits)
        }
        if let text = environment[Self.securityPINVariable] {
            return try Self.parseSecurityPIN(text, from: Self.securityPINVariable, digits: digits)
        }
        return Self.defaultSecurityPIN(model)
    }

    func validate() throws {
        if let maxConnections, !(1...100_000).contains(maxConnections) {
            throw ValidationError("--max-connections is 1 to 100000, not \(maxConnections)")
        }
        let sources = securityPINSources()
        guard sources.count <= 1 else {
            throw ValidationError("give the security PIN one way only, not \(sources.joined(separator: " and "))")
        }
        let resolved = try resolvedModel()
        if let securityPIN, securityPIN > resolved.maximumSecurityPIN {
            throw ValidationError(
                "--security-pin is the \(resolved.profile.productName)'s \(resolved.securityPINDigits)-digit security PIN: a number from 0 to \(resolved.maximumSecurityPIN)")
        }
        _ = try TransportSpec(parsing: transport)
        if let nukiID, UInt32(nukiID, radix: 16) == nil { throw ValidationError("--nuki-id must be 8 hex digits") }
        try ServeDuration.validate(duration)
        if let notifyURL {
            guard let url = URL(string: notifyURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--notify-url: \"\(notifyURL)\" is not an http or https URL")
            }
        }
        if let notifyCommand, notifyCommand.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--notify-command is empty")
        }
        if !notifyEvents.isEmpty, notifyCommand == nil, notifyURL == nil {
            throw ValidationError("--notify-event needs --notify-command or --notify-url")
        }
        if let hostile {
            guard Self.hostileModes.contains(hostile) else { throw ValidationError("--hostile is one of \(Self.hostileModes.joined(separator: ", ")), not \(hostile)") }
            guard state == nil, weaknesses.isEmpty else { throw ValidationError("--hostile takes no --state or --weaken") }
            guard model == nil, firmware == nil else { throw ValidationError("--hostile takes no --model or --firmware (the hostile lock is a Smart Lock 3.0)") }
        }
        if let nfcTimeBudget, !(0...86_400_000).contains(nfcTimeBudget) {
            throw ValidationError("--nfc-time-budget is 0 to 86400000 milliseconds")
        }
    }

    /// `hciN` of `--transport bluez:hciN`.
    var bluezAdapter: String? { (try? TransportSpec(parsing: transport))?.bluezAdapter }

    /// Checks the state file and its folder and takes the single-instance lock on the resolved file
    /// (``LockHost/StateFileLock``), so that two locks never serve (and write) one state file,
    /// whatever name reaches it. Prints the warning for a state file readable by others. Exit 1 with
    /// the reason when refused.
    static func claim(_ state: String) throws -> StateFileLock {
        let claim: StateFileLock
        do {
            claim = try StateFileLock(path: state)
        } catch {
            Diagnostics.print(error.reason)
            throw ExitCode.failure
        }
        if let warning = claim.inspection.warning { Diagnostics.print(warning) }
        return claim
    }

    /// Raises the soft limit on open files to the hard limit, so the lock can hold its 10,000
    /// connections (each a descriptor).
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    func run() throws {
        if let hostile { return try runHostile(hostile) }
        // The controller first: without Bluetooth the lock stops here, before any file is written.
        var bluez: BlueZFrontEnd?
        if let adapter = bluezAdapter {
            do {
                bluez = try BlueZFrontEnd(adapter: adapter)
            } catch {
                Diagnostics.print(Diagnostics.message(error))
                throw ExitCode.failure
            }
        }
        let claim = try state.map { try Self.claim($0) }
        // Kept to the end on purpose: the locks are released when the process ends, however it ends.
        defer { withExtendedLifetime(claim) {} }
        Self.raiseDescriptorLimit()
        let random = SystemRandomSource()
        var engine: LockSessionEngine
        if let state, claim?.inspection.exists == true {
            engine = try LockStateFile(path: state).load(random: random)
            let kept = engine.machine.model
            let otherFirmware = firmware.map { LockProfile.parseFirmware($0) != kept.firmwareVersion } ?? false
            if (model.map { $0 != kept.profile } ?? false) || otherFirmware {
                Diagnostics.print(
                    "\(state) holds a \(kept.profile.rawValue) lock on firmware \(kept.firmwareVersion); --model and --firmware choose the device of a new lock only")
                throw ExitCode.failure
            }
        } else {
            let model = try resolvedModel()
            let pin = try resolveSecurityPIN(model: model)
            guard let securityPIN = SecurityPIN(pin, width: model.wireContext.securityPINWidth) else {
                throw ValidationError("the security PIN is not a number from 0 to \(model.maximumSecurityPIN)")
            }
            let id = nukiID.flatMap { UInt32($0, radix: 16) } ?? UInt32(bitPattern: Int32(truncatingIfNeeded: Int(bitPattern: UInt(random.bytes(count: 4).reduce(0) { $0 << 8 | UInt($1) }))))
            // A new lock is factory-new: uninitialized until its first pairing, advertising the
            // initialization service meanwhile (LockMachine.advertisingMode(at:statusChanged:)).
            var machine = LockMachine(
                model: model, nukiID: id, settings: LockSettings(name: FixedName("Latchkey", width: FixedName.nameWidth)),
                securityPIN: securityPIN, initialized: false)
            machine.timeZoneRules = .systemDatabase
            let now = LockServer.wallClock()
            try machine.setClock(to: now.utcDateTime, at: now)
            engine = LockSessionEngine(
                machine: machine, lockKeyPair: try KeyPair(using: random),
                lockUUID: LockUUID(random.bytes(count: LockUUID.byteCount)) ?? .zero, random: random)
            if let state {
                try LockStateFile(path: state).save(engine)
                try claim?.holdFile()
            }
        }
        if let nfcTimeBudget {
            engine.setNFCTimeBudget(milliseconds: nfcTimeBudget > 0 ? nfcTimeBudget : nil)
            if let state { try LockStateFile(path: state).save(engine) }
        }
        if !weaknesses.isEmpty {
            engine.weaknesses = Set(weaknesses)
            Diagnostics.print(
                "WARNING: this lock is WEAKENED for testing (--weaken \(weaknesses.map(\.rawValue).joined(separator: ","))): it reproduces known flaws on purpose. Never use it for anything but testing an audit.")
        }
        if pairing { _ = engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: LockServer.wallClock()) }
        // Every commit from here on is one journal record, synced before its acknowledgements leave.
        let store: LockStateJournal?
        do {
            store = try state.map { path throws(StateFileError) in
                try LockStateJournal(path: path, engine: engine, compactionBytes: journalCompactionBytes ?? 8 << 20)
            }
        } catch {
            Diagnostics.print("cannot write the state of the lock: \(error.reason)")
            throw ExitCode.failure
        }
        // Signals reach the loop through dispatch sources (no handler runs inside the library):
        // SIGUSR1 presses the button, SIGTERM and SIGINT stop the lock. They are set up before the
        // lock is advertised, so a press that follows the discovery record at once is not lost.
        let relay = SignalRelay()
        let sources = [SIGUSR1, SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { number == SIGUSR1 ? relay.pressButton() : relay.stop() }
            source.resume()
            return source
        }
        let printer = EventPrinter(format: format)
        var targets: [Notifier.Target] = []
        if let notifyCommand { targets.append(.command(notifyCommand)) }
        if let notifyURL, let url = URL(string: notifyURL) { targets.append(.url(url)) }
        let notifier = targets.isEmpty ? nil : Notifier(
            targets: targets, events: notifyEvents.contains("all") ? [] : Set(notifyEvents.isEmpty ? ["batteryCritical"] : notifyEvents),
            nukiID: String(format: "%08X", engine.machine.nukiID))
        let publish: (LockServer.Event) -> Void = { event in
            printer.print(event)
            notifier?.offer(event)
        }
        // The model's connection limit (about 4, old firmware 1) when a model is asked for, its
        // oldest idle unauthenticated connection evicted first (LockServer's accept step); the
        // default lock serves as many as Latchkey's own multi-role tools open.
        var limits = model == nil ? LockServer.Limits() : LockServer.Limits(model: engine.machine.model)
        if let maxConnections { limits.maxConnections = maxConnections }
        let server: LockServer
        if let frontEnd = bluez {
            server = try LockServer(
                engine: engine, frontEnd: weaknesses.isEmpty ? frontEnd : WeakLabel(frontEnd), statePath: nil, store: store,
                capture: ProcessEnvironment.capture(), limits: limits) { publish($0) }
        } else if !weaknesses.isEmpty, let address = DeviceAddress.nuki(engine.machine.nukiID) {
            let frontEnd = WeakLabel(try SocketFrontEnd(folder: discovery.folder, address: address))
            server = try LockServer(
                engine: engine, frontEnd: frontEnd, statePath: nil, store: store, capture: ProcessEnvironment.capture(), limits: limits) { publish($0) }
        } else {
            server = try LockServer(
                engine: engine, folder: discovery.folder, statePath: nil, store: store, capture: ProcessEnvironment.capture(), limits: limits) { publish($0) }
        }
        let deadline = ServeDuration.deadline(after: duration)
        // A parent may have started us with these blocked (the mask is inherited): unblock them.
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in [SIGUSR1, SIGTERM, SIGINT] { sigaddset(&handled, signal) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        relay.attach(server.controls)
        // The owner's controls (button, key, door, battery, clock): a 0600 socket in the 0700
        // discovery folder, beside the ATT socket.
        var channel: LockControlChannel?
        if let address = DeviceAddress.nuki(engine.machine.nukiID) {
            do {
                try discovery.folder.prepare()
                channel = try LockControlChannel(path: LockControlChannel.path(in: discovery.folder, for: address), controls: server.controls)
            } catch {
                Diagnostics.print("cannot open the lock's control socket: \(error)")
                server.stop()
                throw ExitCode.failure
            }
        }
        server.run(until: deadline)
        channel?.stop()
        notifier?.finish(within: 5)
        for source in sources { source.cancel() }
        server.stop()
    }
}

/// Carries signals to a lock's loop once it exists, remembering those that came before.
final class SignalRelay: Sendable {
    private let state = Mutex<(controls: LockServer.Controls?, presses: Int, stop: Bool)>((nil, 0, false))

    func pressButton() {
        let controls = state.withLock { state -> LockServer.Controls? in
            if state.controls == nil { state.presses += 1 }
            return state.controls
        }
        controls?.pressButton()
    }

    func stop() {
        let controls = state.withLock { state -> LockServer.Controls? in
            if state.controls == nil { state.stop = true }
            return state.controls
        }
        controls?.stop()
    }

    /// Delivers what came before and everything from now on to `controls`.
    func attach(_ controls: LockServer.Controls) {
        let (presses, stop) = state.withLock { state in
            state.controls = controls
            return (state.presses, state.stop)
        }
        for _ in 0..<presses { controls.pressButton() }
        if stop { controls.stop() }
    }
}

extension Weakness: ExpressibleByArgument {}

extension LockProfile: ExpressibleByArgument {}

/// A weakened lock's front end: it advertises the local name `Nuki_XXXXXXXX WEAK`, so that nobody
/// mistakes it for an honest lock in a scan.
final class WeakLabel: LockFrontEnd {
    let inner: any LockFrontEnd

    init(_ inner: any LockFrontEnd) { self.inner = inner }

    func accept(timeout: Duration) throws -> (any ATTLink)? { try inner.accept(timeout: timeout) }

    func advertise(_ advertisement: NukiAdvertisement) throws {
        try inner.advertise(NukiAdvertisement(
            nukiID: advertisement.nukiID, mode: advertisement.mode, localName: NukiAdvertisement.name(advertisement.nukiID) + " WEAK"))
    }

    /// Raw advertising (the hostile lock's mutations) goes out as it is.
    func advertise(advertisingData: [UInt8], scanResponse: [UInt8]) throws {
        try inner.advertise(advertisingData: advertisingData, scanResponse: scanResponse)
    }

    func stop() { inner.stop() }

    var location: String { inner.location + " (WEAKENED)" }

    var acceptDescriptor: Int32? { inner.acceptDescriptor }
}
