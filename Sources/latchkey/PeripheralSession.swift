import ArgumentParser
import Foundation
import LockCrypto
import LockEmulator
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// Loads (or creates) a peripheral's state file, connects to the lock and runs one request.
enum PeripheralSession {
    /// The state file at `path`, or a new one for `kind` with a random id and key pair.
    /// The file and its folder are checked first (``PeripheralCredentialsFile/prepare(_:owner:)``);
    /// a file readable by others is used with a warning on stderr.
    static func load(_ path: String, kind: PeripheralKind) throws -> PeripheralCredentialsFile {
        let inspection = try PeripheralCredentialsFile.prepare(path)
        if let warning = inspection.warning { Diagnostics.print(warning) }
        if inspection.exists {
            let file = try PeripheralCredentialsFile.load(path)
            guard file.kind == kind else { throw ValidationError("\(path) is a \(file.kind)'s state file, not a \(kind)'s") }
            return file
        }
        return newFile(kind: kind)
    }

    /// A new, unpaired state file for `kind` with a random client id and key pair.
    static func newFile(kind: PeripheralKind) -> PeripheralCredentialsFile {
        let random = SystemRandomSource()
        let id = random.bytes(count: 4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return PeripheralCredentialsFile(kind: kind, clientID: id, name: kind.defaultName, random: random)
    }

    /// Connects to the lock at `address`, or the first found; when `pairing`, the first that
    /// advertises pairing mode, over either transport (``NukiProfile/NukiAdvertisement/suits(pairing:)``).
    /// Says on stderr which lock it chose.
    static func connect(_ options: PeripheralOptions, _ discovery: DiscoveryOptions, address: String?, pairing: Bool) throws -> PeripheralClient {
        do {
            if let adapter = options.bluezAdapter {
                return try PeripheralClient(link: BlueZCentral.connect(adapter: adapter, address: address, pairing: pairing), capture: ProcessEnvironment.capture())
            }
            let client = try PeripheralClient(folder: discovery.folder, address: address, pairing: pairing, capture: ProcessEnvironment.capture())
            Diagnostics.print("found \(client.lockName ?? "a lock") at \(client.lockAddress ?? "?")\(pairing ? " in pairing mode" : "") in \(discovery.folder.path); connecting")
            return client
        } catch {
            Diagnostics.print(Diagnostics.message(error))
            throw ExitCode.failure
        }
    }

    /// Runs a keypad request and saves the state file (credentials after pairing, battery).
    static func keypad(
        _ options: PeripheralOptions, _ discovery: DiscoveryOptions, pairing: Bool,
        cardReader: (Bytes32) -> Result<NFCCardRead, NFCError> = { _ in .failure(NFCError(.noCard, "no NFC reader")) },
        _ body: (inout KeypadEmulator) -> [PeripheralAction]
    ) throws {
        try run(options, discovery, kind: .keypad, pairing: pairing, cardReader: cardReader, body) { file, credentials, context in
            KeypadEmulator(
                keypadID: file.clientID, name: file.name, keyPair: try file.keyPair(), random: SystemRandomSource(), credentials: credentials,
                context: context)
        }
    }

    /// Runs a fob request and saves the state file.
    static func fob(_ options: PeripheralOptions, _ discovery: DiscoveryOptions, pairing: Bool, _ body: (inout FobEmulator) -> [PeripheralAction]) throws {
        try run(options, discovery, kind: .fob, pairing: pairing, body) { file, credentials, context in
            FobEmulator(
                fobID: file.clientID, name: file.name, keyPair: try file.keyPair(), random: SystemRandomSource(), credentials: credentials,
                nfcCounter: file.nfcCounter ?? 0, context: context)
        }
    }

    /// Loads the state file, connects, makes the peripheral for the lock's wire context (its GATT
    /// table's pairing GDIO: standard or Ultra, ``LockEmulator/PeripheralClient/wireContext``), runs
    /// `body`'s request, saves the file and prints the outcome.
    /// How long a peripheral command waits for the lock's outcome at most. A lock action whose
    /// COMPLETE is lost ends sooner: `--complete-timeout` after the last reply the state is read back
    /// (``FeedbackPrinter/completeMissingExitCode``); lock'n'go sends COMPLETE before its hold.
    static let answerTimeout: Duration = .seconds(90)

    private static func run<P: BatteryPoweredPeripheral>(
        _ options: PeripheralOptions, _ discovery: DiscoveryOptions, kind: PeripheralKind, pairing: Bool,
        cardReader: (Bytes32) -> Result<NFCCardRead, NFCError> = { _ in .failure(NFCError(.noCard, "no NFC reader")) },
        _ body: (inout P) -> [PeripheralAction],
        make: (PeripheralCredentialsFile, ClientCredentials?, WireContext) throws -> P
    ) throws {
        var file = try load(options.state, kind: kind)
        let credentials = try file.credentials()
        if !pairing && credentials == nil {
            throw ValidationError("this \(kind) is not paired: run `latchkey \(kind) pair --state \(options.state)` first")
        }
        _ = try file.keyPair()  // a damaged key is reported before connecting
        // A paired peripheral goes back to the lock it paired with (socket link), unless told otherwise.
        let address = options.address ?? (pairing || options.bluezAdapter != nil ? nil : file.lockAddress)
        let client = try connect(options, discovery, address: address, pairing: pairing)
        var peripheral = try make(file, credentials, client.wireContext)
        peripheral.battery.set(percent: file.batteryPercent)
        peripheral.completeGraceMilliseconds = options.completeGraceMilliseconds
        let feedback = try client.run(&peripheral, start: body(&peripheral), timeout: answerTimeout, cardReader: cardReader)
        if let paired = peripheral.credentials {
            file.store(paired)
            if pairing, options.bluezAdapter == nil { file.lockAddress = client.lockAddress }
        }
        file.batteryPercent = peripheral.battery.percent
        try file.save(options.state)
        try FeedbackPrinter.finish(feedback, device: kind.rawValue, format: options.format)
    }
}
