import ArgumentParser
import BLETransport
import Foundation

/// `latchkey lock press-button`: holds a serving lock's button for 5 s (enters pairing mode).
struct LockPressButtonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "press-button", abstract: "Hold a serving lock's button for 5 s (pairing mode).")

    @Option(help: "Address of the lock (default: the first one found).")
    var address: String?

    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        try discovery.folder.verify()
        let devices = DiscoveryScanner(folder: discovery.folder).scan().filter { address == nil || $0.record.address.description == address }
        guard let device = devices.first else {
            Diagnostics.print("no lock found in \(discovery.folder.path)")
            throw ExitCode.failure
        }
        do {
            try Self.press(device.record)
        } catch {
            Diagnostics.print("\(error)")
            throw ExitCode.failure
        }
        print("pressed the button of \(device.record.address)")
    }

    /// Why a press could not be sent.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Holds the button of the lock that published `record` for 5 s: SIGUSR1 to its process (the
    /// lock's control channel). Throws ``Failure`` when the process cannot be signalled.
    static func press(_ record: DiscoveryRecord) throws {
        guard kill(record.pid, SIGUSR1) == 0 else {
            throw Failure(description: "cannot signal process \(record.pid): \(String(cString: strerror(errno)))")
        }
    }
}
