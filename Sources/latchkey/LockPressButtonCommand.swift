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
        guard kill(device.record.pid, SIGUSR1) == 0 else {
            Diagnostics.print("cannot signal process \(device.record.pid): \(String(cString: strerror(errno)))")
            throw ExitCode.failure
        }
        print("pressed the button of \(device.record.address)")
    }
}
