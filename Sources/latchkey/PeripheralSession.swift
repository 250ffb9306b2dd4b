import ArgumentParser
import Foundation
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession

/// Loads (or creates) a peripheral's state file, connects to the lock and runs one request.
enum PeripheralSession {
    /// The state file at `path`, or a new one for `kind` with a random id and key pair.
    static func load(_ path: String, kind: String) throws -> PeripheralCredentialsFile {
        if FileManager.default.fileExists(atPath: path) {
            let file = try PeripheralCredentialsFile.load(path)
            guard file.kind == kind else { throw ValidationError("\(path) is a \(file.kind)'s state file, not a \(kind)'s") }
            return file
        }
        let random = SystemRandomSource()
        let id = random.bytes(count: 4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return PeripheralCredentialsFile(kind: kind, clientID: id, name: kind == "fob" ? "Fob" : "Keypad", random: random)
    }

    /// Connects to the lock (by address, or the first found).
    static func connect(_ options: PeripheralOptions, _ discovery: DiscoveryOptions) throws -> PeripheralClient {
        do {
            return try PeripheralClient(folder: discovery.folder, address: options.address)
        } catch {
            Diagnostics.print("\(error)")
            throw ExitCode.failure
        }
    }

    /// Runs a keypad request and saves the state file (credentials after pairing, battery).
    static func keypad(_ options: PeripheralOptions, _ discovery: DiscoveryOptions, pairing: Bool, _ body: (inout KeypadEmulator) -> [PeripheralAction]) throws {
        var file = try load(options.state, kind: "keypad")
        let credentials = try file.credentials()
        if !pairing && credentials == nil { throw ValidationError("this keypad is not paired: run `latchkey keypad pair --state \(options.state)` first") }
        var keypad = KeypadEmulator(keypadID: file.clientID, name: file.name, keyPair: try file.keyPair(), random: SystemRandomSource(), credentials: credentials)
        keypad.battery.set(percent: file.batteryPercent)
        let client = try connect(options, discovery)
        let feedback = try client.run(&keypad, start: body(&keypad))
        if let paired = keypad.credentials { file.store(paired) }
        file.batteryPercent = keypad.battery.percent
        try file.save(options.state)
        try FeedbackPrinter.finish(feedback, device: "keypad", format: options.format)
    }

    /// Runs a fob request and saves the state file.
    static func fob(_ options: PeripheralOptions, _ discovery: DiscoveryOptions, pairing: Bool, _ body: (inout FobEmulator) -> [PeripheralAction]) throws {
        var file = try load(options.state, kind: "fob")
        let credentials = try file.credentials()
        if !pairing && credentials == nil { throw ValidationError("this fob is not paired: run `latchkey fob pair --state \(options.state)` first") }
        var fob = FobEmulator(fobID: file.clientID, name: file.name, keyPair: try file.keyPair(), random: SystemRandomSource(), credentials: credentials)
        fob.battery.set(percent: file.batteryPercent)
        let client = try connect(options, discovery)
        let feedback = try client.run(&fob, start: body(&fob))
        if let paired = fob.credentials { file.store(paired) }
        file.batteryPercent = fob.battery.percent
        try file.save(options.state)
        try FeedbackPrinter.finish(feedback, device: "fob", format: options.format)
    }
}
