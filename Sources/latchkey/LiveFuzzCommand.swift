import ArgumentParser
import BLETransport
import Foundation
import LockAudit
import LockCrypto
import LockEmulator
import LockFuzzTarget
import LockSession
import LockWire

/// The credentials and target of the outward commands that act as the fuzzer's clients
/// (`latchkey fuzz --target`, `latchkey replay`): the same syntax and files as `latchkey audit`.
struct LiveTargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Fuzz a live lock instead of running the libFuzzer campaign: socket, socket:ADDRESS, socket:PATH, bluez:hciN or bluez:hciN/ADDRESS.",
        valueName: "target"))
    var target: String?

    @OptionGroup var clients: ClientCredentialOptions

    @Option(help: ArgumentHelp(
        "The lock's security PIN: adds the revoked, disabled and expired throwaway credentials and the comparison of authorizations and keypad codes.",
        valueName: "pin"))
    var securityPIN: UInt32?

    @Option(help: ArgumentHelp("Summary format on stdout: text or json.", valueName: "format"))
    var format: OutputFormat = .text

    @OptionGroup var discovery: DiscoveryOptions

    func validateTarget() throws {
        if let target {
            do { _ = try AuditTarget(parsing: target) } catch { throw ValidationError(error.description) }
        }
        if let securityPIN, securityPIN > 999_999 { throw ValidationError("--security-pin is 0 to 9999, or 0 to 999999 for a lock that pairs the Smart Lock Ultra way") }
    }

    /// The target resolved, its credentials (paired now with --pair), the fuzzer's view of it, and
    /// `--security-pin` in the target's width (read from its GATT table, as `latchkey audit` does:
    /// ``ClientCredentialOptions/load(target:securityPIN:options:)``; a PIN too large for the target
    /// is exit 64).
    func resolve(default fallback: String = "socket") throws -> (LiveTarget, [AuditRole: ClientCredentials], SecurityPIN?) {
        let parsed = try AuditTarget(parsing: target ?? fallback)
        let resolved = ResolvedTarget(target: parsed, folder: discovery.folder)
        var options = AuditOptions(isPairingMode: resolved.isPairingMode, pressButton: resolved.pressButton, random: SystemRandomSource())
        let credentials: [AuditRole: ClientCredentials]
        do {
            credentials = try clients.load(target: resolved, securityPIN: securityPIN, options: &options)
        } catch let error as ValidationError {
            throw error
        } catch {
            Diagnostics.print("\(error)")
            throw ExitCode.failure
        }
        guard credentials[.admin] != nil else {
            Diagnostics.print("the fuzzer needs an admin (app) credential: --pair, or --admin-state FILE of a paired app")
            throw ExitCode(64)
        }
        let target = LiveTarget(
            description: parsed.description, connect: resolved.connect, identity: resolved.identity, oneLinkAtATime: parsed.oneLinkAtATime,
            isPairingMode: resolved.isPairingMode, pressButton: resolved.pressButton)
        return (target, credentials, options.securityPIN)
    }

    /// Prints the summary (text or JSON) on stdout.
    func print(_ summary: LiveFuzzSummary, heading: String) throws {
        let text: String
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            text = String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
        case .text:
            var lines = [heading]
            for finding in summary.findings {
                lines.append("FINDING  \(finding.oracle) at input \(finding.input) (\(String(format: "%.2f", finding.seconds)) s): \(finding.detail)"
                    + (finding.trace.map { "\n         trace \($0)" } ?? ""))
            }
            text = lines.joined(separator: "\n") + "\n"
        }
        do { try FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) } catch {
            Diagnostics.print("cannot write the summary: \(error)")
            throw ExitCode.failure
        }
    }
}

/// The options of `latchkey fuzz --target` besides the target (a live campaign, ``LockFuzzTarget``).
struct LiveFuzzOptionGroup: ParsableArguments {
    @OptionGroup var live: LiveTargetOptions

    @Option(help: ArgumentHelp("With --target: structured (commands and payloads, sealed validly), frame (tampered and plain frames) or att (raw ATT PDUs).", valueName: "mode"))
    var mode: String = "structured"

    @Option(help: ArgumentHelp("With --target: the seed of the fuzzer's choices (the same seed sends the same inputs).", valueName: "n"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("With --target: stop after N inputs.", valueName: "n"))
    var runs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --target: stop after S seconds (default 60 when --runs is not given).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("With --target: check liveness (Request Data(Keyturner States) as the admin) after every N inputs.", valueName: "n"))
    var checkEvery: Int = 1

    @Option(help: ArgumentHelp("With --target: compare Config, authorizations and keypad codes after every N inputs (0: only at the end).", valueName: "n"))
    var snapshotEvery: Int = 500

    @Option(help: ArgumentHelp("With --target: where traces of findings and summary.json go.", valueName: "dir"))
    var out: String = "latchkey-fuzz-out"

    @Option(help: ArgumentHelp("With --target: seed corpus folder (default: Corpus/ of the checkout, if run inside one).", valueName: "dir"))
    var corpus: String?

    @Option(name: .customLong("dict"), help: ArgumentHelp("With --target: a libFuzzer dictionary (repeatable; default: the checkout's Fuzz/dictionaries for the mode).", valueName: "file"))
    var dictionaries: [String] = []

    @Flag(help: "With --target: go on after a finding (one finding per oracle).")
    var keepGoing = false

    @Option(help: ArgumentHelp("With --target: milliseconds a request waits for its reply.", valueName: "ms"))
    var replyTimeout: Int = 1000

    @Option(help: ArgumentHelp("With --target: seconds to reach the lock again after a dropped link.", valueName: "seconds"))
    var reconnectTimeout: Double = 3

    @Option(help: ArgumentHelp(
        "With --target and --security-pin: a PIN burst (wrong PINs, then the right one, which must be refused during the lockout) at input 64, then every N inputs (0: never). Each burst locks the lock's PIN out for its lockout time.",
        valueName: "n"))
    var pinBurstEvery: Int = 200_000

    @Option(help: ArgumentHelp(
        "With --target: the lock's PIN lockout the PIN burst expects, ATTEMPTS:SECONDS (wrong PINs that start it, how long the first lasts; Latchkey's own: 3:30).",
        valueName: "attempts:seconds"))
    var pinLockout: String = "3:30"

    @Option(help: ArgumentHelp(
        "With --target and --security-pin: a pairing with an authenticator wrong in its last byte (the button pressed through the lock's control socket, or the target in pairing mode) at input 40, then every N inputs (0: never).",
        valueName: "n"))
    var pairingEvery: Int = 100_000

    /// `--pin-lockout` parsed: attempts 1–100, seconds above 0 and at most a day.
    var pinLockoutModel: PINLockoutModel? {
        let parts = pinLockout.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let attempts = Int(parts[0]), (1...100).contains(attempts), let seconds = Double(parts[1]), seconds.isFinite, seconds > 0, seconds <= 86_400
        else { return nil }
        return PINLockoutModel(attempts: attempts, duration: .milliseconds(Int64(seconds * 1000)))
    }

    func validateLive() throws {
        try live.validateTarget()
        guard FuzzMode(rawValue: mode) != nil else { throw ValidationError("--mode is structured, frame or att, not \(mode)") }
        if let runs, runs <= 0 { throw ValidationError("--runs must be a positive number of inputs") }
        if let duration, !(duration.isFinite && duration > 0 && duration <= 31_536_000) {
            throw ValidationError("--duration is a number of seconds above 0 and at most a year")
        }
        if checkEvery <= 0 { throw ValidationError("--check-every must be a positive number of inputs") }
        if snapshotEvery < 0 { throw ValidationError("--snapshot-every must be 0 or more") }
        if !(1...60_000).contains(replyTimeout) { throw ValidationError("--reply-timeout is 1 to 60000 milliseconds") }
        if !(reconnectTimeout.isFinite && reconnectTimeout > 0 && reconnectTimeout <= 600) { throw ValidationError("--reconnect-timeout is above 0 and at most 600 seconds") }
        if pinBurstEvery < 0 || pairingEvery < 0 { throw ValidationError("--pin-burst-every and --pairing-every are 0 (never) or a number of inputs") }
        if pinLockoutModel == nil { throw ValidationError("--pin-lockout is ATTEMPTS:SECONDS (1 to 100 attempts, above 0 and at most 86400 seconds), not \(pinLockout)") }
    }

    var options: LiveFuzzOptions {
        var options = LiveFuzzOptions()
        options.mode = FuzzMode(rawValue: mode) ?? .structured
        options.seed = seed
        options.runs = runs
        options.duration = duration.map { .milliseconds(Int64($0 * 1000)) } ?? (runs == nil ? .seconds(60) : nil)
        options.checkEvery = checkEvery
        options.snapshotEvery = snapshotEvery
        options.replyTimeout = .milliseconds(replyTimeout)
        options.reconnectTimeout = .milliseconds(Int64(reconnectTimeout * 1000))
        options.outDirectory = out
        options.keepGoing = keepGoing
        options.pinLockout = pinLockoutModel ?? .latchkey
        if pinBurstEvery == 0 { options.operations[.pinBurst] = nil } else { options.operations[.pinBurst]?.every = pinBurstEvery }
        if pairingEvery == 0 { options.operations[.pairingAuthenticator] = nil } else { options.operations[.pairingAuthenticator]?.every = pairingEvery }
        return options
    }

    /// The seeds: built in, plus the corpus and dictionaries given or found in the checkout.
    func seeds() -> FuzzSeeds {
        var seeds = FuzzSeeds.builtIn()
        let root = FuzzCommand.repositoryRoot(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        if let folder = corpus ?? root.map({ $0.appendingPathComponent("Corpus").path }) { seeds.load(corpus: folder) }
        var dicts = dictionaries
        if dicts.isEmpty, let root {
            let names = mode == "att" ? ["attGATT"] : ["commandPayloads", "lockSession", "encryptedEnvelope", "plainFrame"]
            dicts = names.map { root.appendingPathComponent("Fuzz/dictionaries/\($0).dict").path }
        }
        for dict in dicts { seeds.load(dictionary: dict) }
        return seeds
    }

    /// Runs the live campaign: exit 77 on a finding, 0 without, 1 when the target cannot be prepared.
    func run() throws {
        let (target, credentials, pin) = try live.resolve()
        var options = options
        options.securityPIN = pin
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            Diagnostics.print("cannot create --out \(out): \(error)")
            throw ExitCode.failure
        }
        let fuzzer = LiveFuzzer(target: target, credentials: credentials, seeds: seeds(), options: options)
        let progress = ProgressLine()
        let summary = fuzzer.run { progress.show($0) }
        progress.finish()
        for note in fuzzer.notes { Diagnostics.print(note) }
        let heading = String(
            format: "%d inputs against %@ (mode %@, seed %llu) in %.1f s: %.0f inputs/s, %d coverage cells, %d findings (stopped by %@)",
            summary.inputs, summary.target, summary.mode, summary.seed, summary.seconds, summary.inputsPerSecond, summary.coverageCells,
            summary.findings.count, summary.stoppedBy)
        try live.print(summary, heading: heading)
        if summary.stoppedBy == "unreachable" { throw ExitCode.failure }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

/// The progress line on stderr: rewritten in place at most once a second on a terminal, a plain
/// line every 10 seconds otherwise (logs).
final class ProgressLine {
    let terminal = isatty(2) == 1
    var calls = 0
    var shown = false

    func show(_ line: String) {
        calls += 1
        if terminal {
            try? FileHandle.standardError.write(contentsOf: Data(("\r" + line + "\u{1B}[K").utf8))
            shown = true
        } else if calls % 10 == 0 {
            try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
        }
    }

    func finish() {
        if shown { try? FileHandle.standardError.write(contentsOf: Data("\n".utf8)) }
    }
}

extension ResolvedTarget {
    /// Who serves the target: for the socket link, the process id in the discovery record and the
    /// inode of its socket (a restarted lock has new ones); nil over BlueZ.
    func identity() -> String? {
        var path: String?
        var pid: Int32?
        switch target {
        case .socket(.path(let p)): path = p
        case .socket:
            guard let record = device()?.record else { return nil }
            path = record.socket
            pid = record.pid
        case .bluez: return nil
        }
        var info = stat()
        guard let path, stat(path, &info) == 0 else { return pid.map { "process \($0)" } }
        return (pid.map { "process \($0), " } ?? "") + "socket inode \(info.st_ino)"
    }
}

/// `latchkey replay TRACE --target T`: sends a finding's trace to a lock again and says whether the
/// finding reproduces.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a session trace of `latchkey fuzz --target` against a live lock.",
        discussion: """
            Sends the trace's inputs again in order, with fresh challenges where the trace used them \
            and the liveness check after every input, judged by the same oracles. Credentials as for \
            `latchkey fuzz --target` (--admin-state etc. reuse the campaign's clients; --pair pairs \
            new ones). Exit 77 when a finding occurs (reproduced, or another one), 0 when none, 64 on \
            a usage error, 1 when the trace cannot be read or the target prepared.
            """)

    @Argument(help: ArgumentHelp("The trace (JSON Lines) a finding of `latchkey fuzz --target --out DIR` wrote.", valueName: "trace"))
    var trace: String

    @OptionGroup var live: LiveTargetOptions

    func validate() throws { try live.validateTarget() }

    func run() throws {
        let text: String
        do { text = try String(contentsOfFile: trace, encoding: .utf8) } catch {
            Diagnostics.print("cannot read \(trace): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        let parsed: LiveTrace
        do { parsed = try LiveTrace.read(text) } catch {
            Diagnostics.print("\(trace): \(error)")
            throw ExitCode.failure
        }
        let (target, credentials, pin) = try live.resolve(default: parsed.header.target)
        var options = LiveFuzzOptions()
        options.mode = FuzzMode(rawValue: parsed.header.mode) ?? .structured
        options.seed = parsed.header.seed
        options.securityPIN = pin
        options.snapshotEvery = 0
        let fuzzer = LiveFuzzer(target: target, credentials: credentials, seeds: FuzzSeeds(), options: options)
        let summary = fuzzer.replay(parsed)
        for note in fuzzer.notes { Diagnostics.print(note) }
        let recorded = parsed.finding?.oracle
        var heading = "replayed \(summary.inputs) of \(parsed.inputs.count) inputs against \(summary.target): "
        if let found = summary.findings.first {
            heading += found.oracle == recorded ? "reproduced \(found.oracle)" : "found \(found.oracle) (the trace recorded \(recorded ?? "none"))"
        } else {
            heading += "no finding (the trace recorded \(recorded ?? "none"))"
        }
        try live.print(summary, heading: heading)
        if summary.stoppedBy == "unreachable" { throw ExitCode.failure }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
