import ArgumentParser
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockSession
import LockWire
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
            """)

    @Option(help: ArgumentHelp("The lock's state file (users, keys, codes, log; mode 0600).", valueName: "file"))
    var state: String?

    @Flag(help: "Start in pairing mode (as if the button had been held 5 s).")
    var pairing = false

    @Option(help: "Transport: socket (Unix SOCK_SEQPACKET, discovery folder) or bluez:hciN (L2CAP LE CID 4 and HCI advertising on controller hciN; see `latchkey doctor`).")
    var transport: String = "socket"

    @Option(help: "Nuki ID of a new lock (8 hex digits; default random).")
    var nukiID: String?

    @Option(help: "Security PIN of a new lock (4 digits).")
    var securityPIN: UInt16 = 1234

    @Option(help: ArgumentHelp(
        "NFC relay time budget: refuse NFC taps answered more than this many milliseconds after the lock's challenge (0 removes it; kept in the state file).",
        valueName: "ms"))
    var nfcTimeBudget: Int64?

    @Option(help: "Stop after this many seconds (default: run until killed).")
    var duration: Double?

    @OptionGroup var discovery: DiscoveryOptions

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    func validate() throws {
        guard transport == "socket" || bluezAdapter != nil else {
            throw ValidationError("--transport is socket or bluez:hciN, not \(transport)")
        }
        if let nukiID, UInt32(nukiID, radix: 16) == nil { throw ValidationError("--nuki-id must be 8 hex digits") }
        try ServeDuration.validate(duration)
        if let nfcTimeBudget, !(0...86_400_000).contains(nfcTimeBudget) {
            throw ValidationError("--nfc-time-budget is 0 to 86400000 milliseconds")
        }
    }

    /// `hciN` of `--transport bluez:hciN`.
    var bluezAdapter: String? {
        guard transport.hasPrefix("bluez:") else { return nil }
        let adapter = String(transport.dropFirst("bluez:".count))
        return adapter.hasPrefix("hci") && adapter.dropFirst(3).allSatisfy(\.isNumber) && adapter.count > 3 ? adapter : nil
    }

    /// Takes an exclusive `flock` on `<state>.lock` for the life of the process, so that two locks
    /// never serve (and write) one state file. Exit 1 when another process holds it.
    static func claim(_ state: String) throws {
        let path = state + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            Diagnostics.print("cannot open \(path): \(String(cString: strerror(errno)))")
            throw ExitCode.failure
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            Diagnostics.print("another `latchkey lock serve` is serving \(state) (it holds \(path)); stop it first")
            throw ExitCode.failure
        }
        // Kept open on purpose: the lock is released when the process ends, however it ends.
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
        if let state { try Self.claim(state) }
        Self.raiseDescriptorLimit()
        let random = SystemRandomSource()
        var engine: LockSessionEngine
        if let state, FileManager.default.fileExists(atPath: state) {
            engine = try LockStateFile(path: state).load(random: random)
        } else {
            let id = nukiID.flatMap { UInt32($0, radix: 16) } ?? UInt32(bitPattern: Int32(truncatingIfNeeded: Int(bitPattern: UInt(random.bytes(count: 4).reduce(0) { $0 << 8 | UInt($1) }))))
            var machine = LockMachine(
                model: .smartLock3, nukiID: id, settings: LockSettings(name: FixedName("Latchkey", width: FixedName.nameWidth)),
                securityPIN: .u16(securityPIN))
            let now = LockServer.wallClock()
            try machine.setClock(to: now.utcDateTime, at: now)
            engine = LockSessionEngine(
                machine: machine, lockKeyPair: try KeyPair(using: random),
                lockUUID: LockUUID(random.bytes(count: LockUUID.byteCount)) ?? .zero, random: random)
            if let state { try LockStateFile(path: state).save(engine) }
        }
        if let nfcTimeBudget {
            engine.setNFCTimeBudget(milliseconds: nfcTimeBudget > 0 ? nfcTimeBudget : nil)
            if let state { try LockStateFile(path: state).save(engine) }
        }
        if pairing { _ = engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: LockServer.wallClock()) }
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
        let server: LockServer
        if let adapter = bluezAdapter {
            let frontEnd: BlueZFrontEnd
            do {
                frontEnd = try BlueZFrontEnd(adapter: adapter)
            } catch {
                Diagnostics.print("\(error)")
                throw ExitCode.failure
            }
            server = try LockServer(engine: engine, frontEnd: frontEnd, statePath: state) { printer.print($0) }
        } else {
            server = try LockServer(engine: engine, folder: discovery.folder, statePath: state) { printer.print($0) }
        }
        let deadline = ServeDuration.deadline(after: duration)
        // A parent may have started us with these blocked (the mask is inherited): unblock them.
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in [SIGUSR1, SIGTERM, SIGINT] { sigaddset(&handled, signal) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        relay.attach(server.controls)
        server.run(until: deadline)
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
