import ArgumentParser
import BLETransport
import Foundation
import LockSession
import PrivateFiles
import Logging

/// `latchkey`: emulate, drive and attack the peripherals of a Nuki smart lock.
///
/// Results go to stdout, diagnostics to stderr. Exit codes: 0 ok, 1 failure (including results that
/// could not be written, e.g. to a closed pipe), 64 usage.
@main
struct Latchkey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latchkey",
        abstract: "Emulate, drive and attack the peripherals of a Nuki smart lock (BLE API v2.x).",
        subcommands: [DemoCommand.self, LockCommand.self, KeypadCommand.self, FobCommand.self, NFCCommand.self, ScanCommand.self, CaptureCommand.self, DecodeCommand.self, DoctorCommand.self, FuzzCommand.self, AuditCommand.self, FuzzClientCommand.self, ReplayCommand.self]
    )

    static func main() {
        // A closed pipe is a write error that the commands report (exit 1), not a silent SIGPIPE death.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as StateFileError {
            // A file or folder refused, or in use: the sentence names it and what to do (exit 1).
            Diagnostics.print(Diagnostics.message(error))
            exit(withError: ExitCode.failure)
        } catch let error as TransportError {
            Diagnostics.print(Diagnostics.message(error))
            exit(withError: ExitCode.failure)
        } catch let error as PrivateFileError {
            Diagnostics.print(Diagnostics.message(error))
            exit(withError: ExitCode.failure)
        } catch {
            exit(withError: error)
        }
    }
}

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// One human-readable line per result.
    case text
    /// One JSON object per line (JSON Lines).
    case json
}

extension FrameDecoder.Channel: ExpressibleByArgument {}
