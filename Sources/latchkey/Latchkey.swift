import ArgumentParser
import BLETransport
import Foundation
import LockHost
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
        subcommands: [DemoCommand.self, LockCommand.self, KeypadCommand.self, FobCommand.self, PhoneCommand.self, NFCCommand.self, ScanCommand.self, CaptureCommand.self, DecodeCommand.self, DoctorCommand.self, FuzzCommand.self, AuditCommand.self, FuzzClientCommand.self, ReplayCommand.self]
    )

    static func main() {
        // A closed pipe is a write error that the commands report (exit 1), not a silent SIGPIPE death.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        if let (problem, command, path) = CommandWords.problem(Array(CommandLine.arguments.dropFirst()), root: Latchkey.self) {
            // A usage error (exit 64) as ArgumentParser words one, with the usage of the command reached.
            let text = "Error: \(problem)\nUsage: \(usageString(for: command))\n  See '\(path) --help' for more information.\n"
            try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
            Glibc.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot()
            if let problem = CaptureWriter.environmentProblem(ProcessEnvironment.variables) {
                // Every link would be recorded there: refuse at start rather than capture nothing.
                Diagnostics.print(problem)
                exit(withError: ExitCode.failure)
            }
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

/// The command words of a command line, checked before ArgumentParser parses it: ArgumentParser
/// prints a group's help and exits 0 for `latchkey` alone, `latchkey lock` or `latchkey nosuch
/// --help`, where the user gave no command or one that does not exist (a usage error, exit 64).
enum CommandWords {
    /// Why `arguments` name no command of `root`'s tree, or nil when they do (or when an option
    /// comes first: `--help`, `-h` and the rest are ArgumentParser's). The words are followed from
    /// `root` through its subcommands: a word that names none is unknown (with the nearest name
    /// as a suggestion, when one is close); running out of words at a group of commands means no
    /// command was given. `help` after the root is ArgumentParser's help command.
    /// Returns the sentence, the command reached and its words (`latchkey lock`), whose usage goes with it.
    static func problem(_ arguments: [String], root: any ParsableCommand.Type) -> (String, any ParsableCommand.Type, String)? {
        var command = root
        var path = [name(of: root)]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !argument.hasPrefix("-") else { return nil }
            if path.count == 1, argument == "help" { return nil }
            guard let next = subcommands.first(where: { name(of: $0) == argument || $0.configuration.aliases.contains(argument) }) else {
                let names = subcommands.map { name(of: $0) }
                let hint = suggestion(for: argument, among: names).map { "; did you mean '\($0)'?" } ?? ""
                return ("unknown command '\(path.joined(separator: " ")) \(argument)'\(hint) (commands: \(names.joined(separator: ", ")))", command, path.joined(separator: " "))
            }
            command = next
            path.append(argument)
        }
        let subcommands = command.configuration.subcommands
        guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil else { return nil }
        return ("'\(path.joined(separator: " "))' needs a command: \(subcommands.map { name(of: $0) }.joined(separator: ", "))", command, path.joined(separator: " "))
    }

    /// The command's name on the command line.
    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }

    /// The name among `names` closest to `word` by edit distance (``distance(_:_:)``), when at
    /// most 2 edits or a third of the longer word's letters apart; the first such name on a tie.
    static func suggestion(for word: String, among names: [String]) -> String? {
        let scored = names.map { ($0, distance(Array(word), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, max(word.count, best.0.count) / 3) ? best.0 : nil
    }

    /// The optimal string alignment distance between `a` and `b`: insertions, deletions,
    /// substitutions and swaps of two neighbouring letters (`scna` is one edit from `scan`).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
