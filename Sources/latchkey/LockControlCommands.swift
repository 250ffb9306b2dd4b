import ArgumentParser
import BLETransport
import Foundation
import LockEmulator
import LockWire

/// Where to find a running lock's control socket, and how to print its answer: the options every
/// `latchkey lock button|key-turn|door|battery|clock|state` shares.
struct LockControlOptions: ParsableArguments {
    @Option(help: "Address of the lock (default: the only lock with a control socket in the discovery folder).")
    var address: String?

    @OptionGroup var discovery: DiscoveryOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        try AddressOption.validate(address)
    }

    /// The control socket: `<stem>.control` of `--address`, or the only one in the folder.
    func socketPath() throws -> String {
        let folder = discovery.folder
        try folder.verify()
        if let address, let device = DeviceAddress(string: address) {
            return LockControlChannel.path(in: folder, for: device)
        }
        let sockets = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".control") }.sorted()
        switch sockets.count {
        case 1: return folder.path + "/" + sockets[0]
        case 0:
            Diagnostics.print("no running lock in \(folder.path) (start one with `latchkey lock serve`)")
            throw ExitCode.failure
        default:
            Diagnostics.print("several locks in \(folder.path): choose one with --address (\(sockets.map { $0.replacingOccurrences(of: ".control", with: "") }.joined(separator: ", ")))")
            throw ExitCode.failure
        }
    }

    /// Sends `command` and prints the reply; exit 1 when the lock refused it or could not be asked.
    func run(_ command: LockControl) throws {
        let reply: LockControlReply
        do {
            reply = try LockControlClient.send(command, to: try socketPath())
        } catch let failure as LockControlClient.Failure {
            Diagnostics.print(failure.description)
            throw ExitCode.failure
        }
        switch format {
        case .text: print(reply.text)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(reply), as: UTF8.self))
        }
        if !reply.ok {
            if format == .json, let error = reply.error { Diagnostics.print("refused: \(error)") }
            throw ExitCode.failure
        }
    }

    /// `command`'s line parsed back, so that bad input is a usage error (exit 64) before anything is sent.
    static func checked(_ line: String) throws -> LockControl {
        do {
            return try LockControl(line: line)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// `latchkey lock button`: the lock's button held 5 s (pairing mode), through its control socket.
struct LockButtonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "button", abstract: "Hold a running lock's button for 5 s (pairing mode).")
    @OptionGroup var control: LockControlOptions
    func run() throws { try control.run(.button) }
}

/// `latchkey lock key-turn lock|unlock|unlatch`: the physical key.
struct LockKeyTurnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key-turn", abstract: "Turn the physical key of a running lock (works with an empty battery; logged with trigger manual).")
    @Argument(help: "lock, unlock or unlatch") var action: String
    @OptionGroup var control: LockControlOptions
    func validate() throws { _ = try LockControlOptions.checked("key-turn \(action)") }
    func run() throws { try control.run(try LockControlOptions.checked("key-turn \(action)")) }
}

/// `latchkey lock door open|closed`: the door sensor.
struct LockDoorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "door", abstract: "Open or close the door of a running lock (its door sensor state).")
    @Argument(help: "open or closed") var state: String
    @OptionGroup var control: LockControlOptions
    func validate() throws { _ = try LockControlOptions.checked("door \(state)") }
    func run() throws { try control.run(try LockControlOptions.checked("door \(state)")) }
}

/// `latchkey lock battery PERCENT`: the battery level.
struct LockBatteryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "battery", abstract: "Set a running lock's battery level (below 20 %: the alert and the ring-light battery signal).")
    @Argument(help: "0 to 100") var percent: String
    @OptionGroup var control: LockControlOptions
    func validate() throws { _ = try LockControlOptions.checked("battery \(percent)") }
    func run() throws { try control.run(try LockControlOptions.checked("battery \(percent)")) }
}

/// `latchkey lock clock set TIME | advance DURATION`: the lock's calendar.
struct LockClockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock",
        abstract: "Set a running lock's calendar (`set 2026-12-07T10:00:00Z`, UTC) or move it on (`advance 90m`); timers keep real time.")
    @Argument(help: "set or advance") var verb: String
    @Argument(help: "a UTC time YYYY-MM-DDTHH:MM:SSZ (set), or a duration: seconds, or a number with s, m, h or d (advance)") var value: String

    @OptionGroup var control: LockControlOptions

    /// `90`, `90s`, `15m`, `2h`, `1d` in seconds; nil for anything else.
    static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let last = text.last, let unit = units[last] {
            return Int64(text.dropLast()).flatMap { $0.multipliedReportingOverflow(by: unit).overflow ? nil : $0 * unit }
        }
        return Int64(text)
    }

    var line: String {
        get throws {
            switch verb {
            case "set": return "clock set \(value)"
            case "advance":
                guard let seconds = Self.seconds(value) else {
                    throw ValidationError("clock advance: \"\(value)\" is not a duration (seconds, or a number with s, m, h or d)")
                }
                return "clock advance \(seconds)"
            default: throw ValidationError("clock: expected set or advance, got \"\(verb)\"")
            }
        }
    }

    func validate() throws { _ = try LockControlOptions.checked(try line) }
    func run() throws { try control.run(try LockControlOptions.checked(try line)) }
}

/// `latchkey lock state`: what the running lock is like (its own view, not over the Nuki protocol).
struct LockStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Show a running lock's state, battery, ring light, door and calendar (through its control socket).")
    @OptionGroup var control: LockControlOptions
    func run() throws { try control.run(.state) }
}
