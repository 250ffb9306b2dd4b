import ArgumentParser
import BLETransport
import Foundation
import LockEmulator

/// `latchkey lock press-button`: holds a serving lock's button for 5 s (enters pairing mode).
struct LockPressButtonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "press-button", abstract: "Hold a serving lock's button for 5 s (pairing mode).")

    @Option(help: "Address of the lock (default: the first one found).")
    var address: String?

    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        try AddressOption.validate(address)
    }

    func run() throws {
        try discovery.cleanStaleRecords()
        let wanted = address.flatMap { DeviceAddress(string: $0) }
        let devices = DiscoveryScanner(folder: discovery.folder).scan().filter { wanted == nil || $0.record.address == wanted }
        guard let device = devices.first else {
            Diagnostics.print("no lock\(address.map { " at \($0)" } ?? "") found in \(discovery.folder.path) (start one with `latchkey lock serve`)")
            throw ExitCode.failure
        }
        do {
            try Self.press(device.record, in: discovery.folder)
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

    /// Holds the button of the lock that published `record` in `folder` for 5 s: through its
    /// control socket (``LockEmulator/LockControlChannel``, answered once the lock is in pairing
    /// mode), else SIGUSR1 to its process (a lock without one). Throws ``Failure`` when the record's
    /// process is not the lock that published it (``BLETransport/DiscoveryFolder/staleness(of:)``),
    /// the lock refused, or its process cannot be signalled.
    static func press(_ record: DiscoveryRecord, in folder: DiscoveryFolder) throws {
        if let stale = DiscoveryFolder.staleness(of: record) {
            throw Failure(description: "the lock at \(record.address) stopped: \(stale)")
        }
        let control = LockControlChannel.path(in: folder, for: record.address)
        if FileManager.default.fileExists(atPath: control) {
            let reply: LockControlReply
            do {
                reply = try LockControlClient.send(.button, to: control)
            } catch {
                throw Failure(description: error.description)
            }
            guard reply.ok else { throw Failure(description: "the lock refused the button: \(reply.error ?? "")") }
            return
        }
        guard kill(record.pid, SIGUSR1) == 0 else {
            throw Failure(description: "cannot signal process \(record.pid): \(String(cString: strerror(errno)))")
        }
    }
}
