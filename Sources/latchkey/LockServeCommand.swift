import ArgumentParser
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockSession
import LockWire

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

    @Option(
        name: .customLong("weaken"),
        help: ArgumentHelp(
            "TESTING ONLY, makes the lock INSECURE: reproduce one known flaw so that `latchkey audit` can be proven to catch it (repeatable). The lock warns on stderr and advertises as `Nuki_XXXXXXXX WEAK`. Flaws: \(Weakness.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "flaw"))
    var weaknesses: [Weakness] = []

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

    func run() throws {
        if let state { try Self.claim(state) }
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
        if !weaknesses.isEmpty {
            engine.weaknesses = Set(weaknesses)
            Diagnostics.print(
                "WARNING: this lock is WEAKENED for testing (--weaken \(weaknesses.map(\.rawValue).joined(separator: ","))): it reproduces known flaws on purpose. Never use it for anything but testing an audit.")
        }
        if pairing { _ = engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: LockServer.wallClock()) }
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
            server = try LockServer(engine: engine, frontEnd: weaknesses.isEmpty ? frontEnd : WeakLabel(frontEnd), statePath: state) { printer.print($0) }
        } else if !weaknesses.isEmpty, let address = DeviceAddress.nuki(engine.machine.nukiID) {
            let frontEnd = WeakLabel(try SocketFrontEnd(folder: discovery.folder, address: address))
            server = try LockServer(engine: engine, frontEnd: frontEnd, statePath: state) { printer.print($0) }
        } else {
            server = try LockServer(engine: engine, folder: discovery.folder, statePath: state) { printer.print($0) }
        }
        let deadline = ServeDuration.deadline(after: duration)
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        // A parent may have started us with these blocked (the mask is inherited): unblock them.
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in [SIGUSR1, SIGTERM, SIGINT] { sigaddset(&handled, signal) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        while !stopRequested.load(ordering: .relaxed), deadline.map({ ContinuousClock.now < $0 }) ?? true {
            server.step()
        }
        server.stop()
    }
}

extension Weakness: ExpressibleByArgument {}

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

    func stop() { inner.stop() }

    var location: String { inner.location + " (WEAKENED)" }
}
