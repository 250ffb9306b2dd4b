import ArgumentParser
import Foundation

/// `latchkey fuzz`: run the repository's fuzz campaign (`Fuzz/campaign`) from a checkout.
///
/// The command only locates the script and runs it with the options passed through; building the
/// fuzzers, replaying regressions, fuzzing, minimising and merging are the script's work
/// (Fuzz/README.md). The exit status is the script's: 0 clean, 77 when anything crashed, 1 on a build
/// or libFuzzer failure, 64 on a usage error.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run the libFuzzer campaign of a Latchkey checkout (Fuzz/campaign), or with --target fuzz a live lock.",
        discussion: """
            Looks for Fuzz/campaign in the current directory and its parents, runs it from the \
            repository root and exits with its status: 0 when clean, 77 when a target crashed \
            (minimised inputs are in Fuzz/out/<Target>/artifacts), 1 on a build or libFuzzer \
            failure. Without targets every target is fuzzed. Needs a Swift toolchain with libFuzzer \
            (Linux). Extra libFuzzer flags can be given in the FUZZ_FLAGS environment variable.

            With --target, fuzzes a live lock instead, inside the encryption (README "Testing \
            another lock or client"): exit 77 on a finding (its trace in --out, replayed with \
            `latchkey replay`), 0 when none, 1 when the target cannot be prepared, 64 on a usage error.
            """
    )

    @Option(help: ArgumentHelp("Split SECONDS evenly over the targets.", valueName: "seconds"))
    var total: Int?

    @Option(help: ArgumentHelp("Fuzz each target for SECONDS (default 60).", valueName: "seconds"))
    var perTarget: Int?

    @Option(help: ArgumentHelp("Run each target as N libFuzzer worker processes (-fork=N).", valueName: "n"))
    var fork: Int?

    @Flag(help: "Merge inputs with new coverage into Corpus/<Target>/.")
    var merge = false

    /// `--target T` and its options: fuzz a live lock instead (``LiveFuzzOptionGroup``).
    @OptionGroup(title: "Live lock (--target)") var liveFuzz: LiveFuzzOptionGroup

    @Argument(help: "Targets to fuzz (plainFrame encryptedEnvelope commandPayloads reassembly attGATT lockSession pairingResponder keypadEntry stateFile fobNFC); default all.")
    var targets: [String] = []

    func validate() throws {
        if liveFuzz.live.target != nil {
            if total != nil || perTarget != nil || fork != nil || merge || !targets.isEmpty {
                throw ValidationError("--target fuzzes a live lock; --total, --per-target, --fork, --merge and libFuzzer targets belong to the campaign")
            }
            try liveFuzz.validateLive()
            return
        }
        if total != nil && perTarget != nil { throw ValidationError("give --total or --per-target, not both") }
        if let total, total <= 0 { throw ValidationError("--total must be a positive number of seconds") }
        if let perTarget, perTarget <= 0 { throw ValidationError("--per-target must be a positive number of seconds") }
        if let fork, fork <= 0 { throw ValidationError("--fork must be a positive number of workers") }
        if let bad = targets.first(where: { $0.hasPrefix("-") }) { throw ValidationError("unknown option \(bad)") }
    }

    /// The arguments handed to `Fuzz/campaign`, in its own syntax.
    var campaignArguments: [String] {
        var arguments: [String] = []
        if let total { arguments += ["--total", String(total)] }
        if let perTarget { arguments += ["--per-target", String(perTarget)] }
        if let fork { arguments += ["--fork", String(fork)] }
        if merge { arguments.append("--merge") }
        return arguments + targets
    }

    /// The checkout root: the first of `start` and its parents that holds an executable `Fuzz/campaign`.
    static func repositoryRoot(from start: URL) -> URL? {
        var directory = start.standardizedFileURL
        while true {
            let script = directory.appendingPathComponent("Fuzz/campaign").path
            if FileManager.default.isExecutableFile(atPath: script) { return directory }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    func run() throws {
        if liveFuzz.live.target != nil { return try liveFuzz.run() }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        guard let root = Self.repositoryRoot(from: here) else {
            FileHandle.standardError.write(Data(
                "latchkey fuzz: no Fuzz/campaign in \(here.path) or its parents; run this inside a Latchkey checkout\n".utf8))
            throw ExitCode.failure
        }
        let process = Process()
        process.executableURL = root.appendingPathComponent("Fuzz/campaign")
        process.arguments = campaignArguments
        process.currentDirectoryURL = root
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("latchkey fuzz: cannot start \(root.path)/Fuzz/campaign: \(error)\n".utf8))
            throw ExitCode.failure
        }
        process.waitUntilExit()
        switch process.terminationReason {
        case .exit:
            if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
        case .uncaughtSignal:
            // Killed by a signal (e.g. Ctrl-C): the shell convention 128 + signal.
            throw ExitCode(128 + process.terminationStatus)
        @unknown default:
            throw ExitCode.failure
        }
    }
}
