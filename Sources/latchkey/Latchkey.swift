import ArgumentParser
import Logging

/// `latchkey`: emulate, drive and attack the peripherals of a Nuki smart lock.
///
/// Results go to stdout, diagnostics to stderr. Exit codes: 0 ok, 1 failure, 64 usage.
@main
struct Latchkey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latchkey",
        abstract: "Emulate, drive and attack the peripherals of a Nuki smart lock (BLE API v2.x).",
        subcommands: [DecodeCommand.self]
    )

    static func main() {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        do {
            var command = try parseAsRoot()
            try command.run()
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
