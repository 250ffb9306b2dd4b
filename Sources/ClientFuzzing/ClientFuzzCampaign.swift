import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockSession
import LockWire

/// `latchkey fuzz-client`: serves a ``HostileLockServer`` in a private discovery folder and runs a
/// client command against it again and again, one ``HostilePlan`` per run, classifying each run
/// (``ClientRunOutcome``; issue 14 item 5).
///
/// Run 0 is the **baseline**: the honest lock. The client must succeed on it (else the campaign
/// stops: exit 1), and the lock's messages in it are the profile that random plans pick their
/// message from. Run *r* ≥ 1 draws its plan from a ChaCha20 stream seeded with
/// ``runSeed(campaign:run:)``, so `--seed` reproduces a campaign and a trace's `runSeed` one run.
///
/// The command finds the lock as Latchkey peripherals and the pyNukiBT shim do: through the
/// discovery folder in `LATCHKEY_DEVICES_DIR` (one lock there, in pairing mode at the start of each
/// run). It also gets `LATCHKEY_FUZZ_SOCKET` (the lock's socket), `LATCHKEY_FUZZ_NUKI_ID` (8 hex
/// digits), `LATCHKEY_FUZZ_ADDRESS`, `LATCHKEY_FUZZ_PIN` (the security PIN, decimal) and
/// `LATCHKEY_FUZZ_RUN` (the run number); it runs in a fresh empty folder (for state files) that is
/// removed after the run.
///
/// Output in `--out`: `findings.jsonl` (one line per distinct finding), `traces/<n>-<key>.jsonl`
/// (per distinct finding: a header line with the plan, then the run's transcript, one
/// ``HostileLockServer/Entry`` per line), `summary.json`.
public final class ClientFuzzCampaign {
    /// What to run and how.
    public struct Options: Sendable {
        /// The client command and its arguments.
        public var command: [String]
        /// Runs after the baseline (nil: until ``duration``).
        public var runs: Int?
        /// Seconds to fuzz (nil: until ``runs``).
        public var duration: Double?
        /// Seconds one run may take before it is a hang.
        public var timeout: Double = 30
        public var seed: UInt64 = 1
        /// Where findings, traces and the summary go.
        public var out: String
        /// Text stdout must contain for a run to count as success (nil: exit 0 suffices).
        public var successText: String?
        /// The hostile lock's Nuki ID and security PIN.
        public var nukiID: UInt32 = 0x2A37_599A
        public var pin: UInt16 = 1234
        /// Whether random plans mutate the advertising too (the client scans the discovery folder);
        /// false for a client that connects to `LATCHKEY_FUZZ_SOCKET` without looking.
        public var advertising = true
        /// Replay these plans (from traces) instead of drawing plans; no baseline.
        public var replay: [(plan: HostilePlan, runSeed: UInt64)] = []
        /// Where the hostile lock is served instead of the private discovery folder (`latchkey
        /// fuzz-client --transport bluez:hciN`: a controller's L2CAP LE CID 4 and HCI advertising):
        /// the front end and the address clients reach it at. Nil: the discovery folder's socket.
        public var frontEnd: (@Sendable () throws -> (any LockFrontEnd, DeviceAddress))?

        public init(command: [String], out: String) {
            self.command = command
            self.out = out
        }
    }

    /// A distinct finding: its de-duplication key (class / field / command) and where it was seen.
    public struct Finding: Sendable, Hashable, Codable {
        public var key: String
        public var classification: ClientRunOutcome.Classification
        public var firstRun: Int
        public var runSeed: UInt64
        public var plan: HostilePlan
        public var planLabel: String
        public var reason: String
        public var trace: String
        public var count: Int
    }

    /// The campaign's figures (`summary.json`).
    public struct Summary: Sendable, Codable {
        public var command: [String]
        public var seed: UInt64
        public var runs: Int
        public var seconds: Double
        public var runsPerSecond: Double
        public var baselineMessages: Int
        public var classes: [String: Int]
        public var findings: [Finding]
        /// Runs that could not be started (the command was not found…).
        public var startFailures: Int
    }

    /// The campaign could not run.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// 1: the baseline failed or the lock could not be served; 64: usage.
        public let exitCode: Int32
    }

    let options: Options
    let progress: (String) -> Void

    public init(options: Options, progress: @escaping (String) -> Void) {
        self.options = options
        self.progress = progress
    }

    /// The seed of run `run`'s plan and faults.
    public static func runSeed(campaign: UInt64, run: Int) -> UInt64 {
        // SplitMix64 of the pair: distinct, well-spread seeds for neighbouring runs.
        var z = campaign &+ UInt64(truncatingIfNeeded: run) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Runs the campaign. Throws ``Failure``.
    public func run() throws -> Summary {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: options.out + "/traces", withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(options.out)/traces: \(error.localizedDescription)", exitCode: 1)
        }
        var template = Array((NSTemporaryDirectory() + "/latchkey-fuzz-client-XXXXXX").utf8CString)
        guard let rootPointer = template.withUnsafeMutableBufferPointer({ buffer -> UnsafeMutablePointer<CChar>? in
            guard let base = buffer.baseAddress else { return nil }
            return mkdtemp(base)
        }) else {
            throw Failure(description: "cannot make a temporary folder", exitCode: 1)
        }
        let root = String(cString: rootPointer)
        defer { try? fm.removeItem(atPath: root) }
        let folder = DiscoveryFolder(path: root + "/devices")
        guard var address = DeviceAddress.nuki(options.nukiID) else {
            throw Failure(description: "no device address for Nuki ID \(options.nukiID)", exitCode: 64)
        }
        let server: HostileLockServer
        do {
            let frontEnd: any LockFrontEnd
            if let make = options.frontEnd {
                (frontEnd, address) = try make()
            } else {
                frontEnd = try SocketFrontEnd(folder: folder, address: address)
            }
            let random = SeededRandomSource(seed: options.seed)
            let engine = try HostileLockServer.makeLock(nukiID: options.nukiID, pin: options.pin, random: random, now: LockServer.wallClock())
            server = try HostileLockServer(engine: engine, frontEnd: frontEnd, plan: .honest, random: random)
        } catch {
            throw Failure(description: "cannot serve the hostile lock: \(error)", exitCode: 1)
        }
        defer { server.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["LATCHKEY_DEVICES_DIR"] = folder.path
        environment["LATCHKEY_FUZZ_SOCKET"] = options.frontEnd == nil ? folder.socketPath(address) : nil
        environment["LATCHKEY_FUZZ_NUKI_ID"] = String(format: "%08X", options.nukiID)
        environment["LATCHKEY_FUZZ_ADDRESS"] = address.description
        environment["LATCHKEY_FUZZ_PIN"] = String(options.pin)
        environment["LATCHKEY_CAPTURE"] = nil

        let started = ContinuousClock.now
        var classes: [String: Int] = [:]
        for c in ClientRunOutcome.Classification.allCases { classes[c.rawValue] = 0 }
        var findings: [Finding] = []
        var runs = 0
        var startFailures = 0
        var profile = MessageProfile(messages: [])
        var lastProgress = ContinuousClock.now
        let findingsPath = options.out + "/findings.jsonl"
        fm.createFile(atPath: findingsPath, contents: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]

        func execute(run: Int, plan: HostilePlan, runSeed: UInt64) throws -> (ClientRunOutcome, stdout: String, stderr: String) {
            server.reset(plan: plan, random: SeededRandomSource(seed: runSeed &+ 1))
            let work = root + "/run-\(run)"
            try? fm.removeItem(atPath: work)
            try? fm.createDirectory(atPath: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            defer { try? fm.removeItem(atPath: work) }
            var env = environment
            env["LATCHKEY_FUZZ_RUN"] = String(run)
            let process = try ClientProcess(
                arguments: options.command, environment: env, directory: work, stdoutPath: root + "/stdout", stderrPath: root + "/stderr")
            let deadline = ContinuousClock.now + .milliseconds(Int64(options.timeout * 1000))
            while !process.poll() {
                if ContinuousClock.now >= deadline {
                    process.killAfterTimeout()
                    break
                }
                server.step(timeout: .milliseconds(2))
            }
            // What the client sent just before it went is still read, so the transcript is whole.
            for _ in 0..<3 { server.step(timeout: .zero) }
            let stdout = (try? String(contentsOfFile: root + "/stdout", encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOfFile: root + "/stderr", encoding: .utf8)) ?? ""
            let outcome = ClientRunOutcome.classify(
                termination: process.termination ?? .timedOut, stdout: stdout, stderr: stderr, transcript: server.transcript,
                successText: options.successText)
            return (outcome, stdout, stderr)
        }

        func keep(_ outcome: ClientRunOutcome, run: Int, plan: HostilePlan, runSeed: UInt64, stdout: String, stderr: String) {
            let target = server.transcript.first(where: { $0.from == "lock" && $0.message == plan.message })
            let command = plan.fault.isGATTBehaviour ? "gatt" : plan.fault.isAdvertising ? "advertising" : (target?.command ?? "unknown")
            let key = "\(outcome.classification.rawValue)/\(plan.fault.field)/\(command)"
            if let index = findings.firstIndex(where: { $0.key == key }) {
                findings[index].count += 1
                return
            }
            let slug = String(key.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
            let trace = options.out + "/traces/\(String(format: "%03d", findings.count + 1))-\(slug).jsonl"
            let finding = Finding(
                key: key, classification: outcome.classification, firstRun: run, runSeed: runSeed, plan: plan, planLabel: plan.label,
                reason: outcome.reason, trace: trace, count: 1)
            findings.append(finding)
            let header = TraceHeader(
                format: TraceHeader.formatName, key: key, classification: outcome.classification, reason: outcome.reason, run: run,
                seed: options.seed, runSeed: runSeed, plan: plan, planLabel: plan.label, termination: outcome.termination, command: options.command,
                stdoutTail: String(stdout.suffix(2000)), stderrTail: String(stderr.suffix(4000)))
            var lines: [String] = []
            if let data = try? encoder.encode(header) { lines.append(String(decoding: data, as: UTF8.self)) }
            for entry in server.transcript {
                if let data = try? encoder.encode(entry) { lines.append(String(decoding: data, as: UTF8.self)) }
            }
            try? (lines.joined(separator: "\n") + "\n").write(toFile: trace, atomically: true, encoding: .utf8)
            if let data = try? encoder.encode(finding), let handle = FileHandle(forWritingAtPath: findingsPath) {
                handle.seekToEndOfFile()
                handle.write(data + Data("\n".utf8))
                try? handle.close()
            }
            progress("finding \(findings.count): \(key) at run \(run): \(plan.label); \(outcome.reason)")
        }

        if options.replay.isEmpty {
            let baseline = try? execute(run: 0, plan: .honest, runSeed: Self.runSeed(campaign: options.seed, run: 0))
            guard let baseline, baseline.0.succeeded else {
                let detail = baseline.map { "\($0.0.reason); stderr: \($0.stderr.suffix(600))" } ?? "the command could not be started"
                throw Failure(description: "the client does not succeed against the honest lock (baseline run): \(detail)", exitCode: 1)
            }
            profile = server.messages
            progress("baseline: the client succeeded; the lock sent \(profile.messages.count) messages")
        }

        var run = 0
        while true {
            run += 1
            if options.replay.isEmpty {
                if let limit = options.runs, run > limit { break }
                if let duration = options.duration, ContinuousClock.now - started >= .milliseconds(Int64(duration * 1000)) { break }
            } else if run > options.replay.count {
                break
            }
            let runSeed: UInt64
            let plan: HostilePlan
            if options.replay.isEmpty {
                runSeed = Self.runSeed(campaign: options.seed, run: run)
                plan = HostilePlan.random(SeededRandomSource(seed: runSeed), profile: profile, advertising: options.advertising, nukiID: options.nukiID)
            } else {
                (plan, runSeed) = options.replay[run - 1]
            }
            let result: (ClientRunOutcome, stdout: String, stderr: String)
            do {
                result = try execute(run: run, plan: plan, runSeed: runSeed)
            } catch {
                startFailures += 1
                if startFailures >= 3, runs == 0 { throw Failure(description: "\(error)", exitCode: 1) }
                continue
            }
            runs += 1
            classes[result.0.classification.rawValue, default: 0] += 1
            if !options.replay.isEmpty {
                progress("replay \(run): \(plan.label): \(result.0.classification.rawValue) (\(result.0.reason))")
            }
            if result.0.classification != .ok {
                keep(result.0, run: run, plan: plan, runSeed: runSeed, stdout: result.stdout, stderr: result.stderr)
            }
            if ContinuousClock.now - lastProgress >= .seconds(10) {
                lastProgress = ContinuousClock.now
                progress(progressLine(runs: runs, classes: classes, distinct: findings.count, since: started))
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let summary = Summary(
            command: options.command, seed: options.seed, runs: runs, seconds: (seconds * 10).rounded() / 10,
            runsPerSecond: seconds > 0 ? (Double(runs) / seconds * 100).rounded() / 100 : 0, baselineMessages: profile.messages.count,
            classes: classes, findings: findings, startFailures: startFailures)
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.sortedKeys, .prettyPrinted]
        if let data = try? pretty.encode(summary) { try? data.write(to: URL(fileURLWithPath: options.out + "/summary.json")) }
        progress(progressLine(runs: runs, classes: classes, distinct: findings.count, since: started))
        return summary
    }

    func progressLine(runs: Int, classes: [String: Int], distinct: Int, since started: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(runs) / seconds : 0
        let counts = ClientRunOutcome.Classification.allCases.map { "\($0.rawValue) \(classes[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        return String(format: "runs %d in %.0f s (%.2f/s): ", runs, seconds, rate) + counts + "; \(distinct) distinct findings"
    }

    /// The first line of a trace file.
    public struct TraceHeader: Sendable, Codable {
        /// `latchkey-fuzz-client-trace/1`.
        public static let formatName = "latchkey-fuzz-client-trace/1"
        public var format: String
        public var key: String
        public var classification: ClientRunOutcome.Classification
        public var reason: String
        public var run: Int
        public var seed: UInt64
        public var runSeed: UInt64
        public var plan: HostilePlan
        public var planLabel: String
        public var termination: ClientRunOutcome.Termination
        public var command: [String]
        public var stdoutTail: String
        public var stderrTail: String
    }

    /// The header of the trace at `path`. Throws ``Failure`` (exit 64) when it is not a trace.
    public static func readTrace(_ path: String) throws -> TraceHeader {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let first = text.split(separator: "\n").first,
            let header = try? JSONDecoder().decode(TraceHeader.self, from: Data(first.utf8)), header.format == TraceHeader.formatName
        else { throw Failure(description: "\(path) is not a fuzz-client trace (\(TraceHeader.formatName))", exitCode: 64) }
        return header
    }
}
