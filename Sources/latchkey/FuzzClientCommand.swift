import ArgumentParser
import ClientFuzzing
import Foundation

/// `latchkey fuzz-client [--runs N] [--duration S] [--timeout S] [--seed N] [--out DIR] [--plan MODE…] [--no-advertising] -- COMMAND…`
/// (issue 14 item 5): a hostile lock against a client command, run after run.
struct FuzzClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-client",
        abstract: "Serve a hostile lock and run a client command against it again and again, classifying each run.",
        discussion: """
            The command finds the lock through the discovery folder in LATCHKEY_DEVICES_DIR (in pairing \
            mode at the start of every run); it also gets LATCHKEY_FUZZ_SOCKET, LATCHKEY_FUZZ_NUKI_ID, \
            LATCHKEY_FUZZ_ADDRESS, LATCHKEY_FUZZ_PIN and LATCHKEY_FUZZ_RUN, and runs in a fresh empty folder. \
            Run 0 is against the honest lock and must succeed. Every later run gets one fault: a reply \
            mutated inside the encryption (valid MAC and CRC), a corrupted frame, odd indication splits, \
            an Exchange MTU behaviour or, in one run of 5, mutated advertising (malformed AD structures, a \
            beacon or service data that is not the lock's, a conflicting name; --no-advertising for a client \
            that never scans). Runs are classified crash (a signal, a traceback or trap on stderr), \
            hang (no exit within --timeout), accepted-corrupted (success after a message a correct client \
            must refuse) or ok. Success is exit 0, plus --success-text on stdout when given. Distinct \
            findings go to DIR/findings.jsonl with a trace each in DIR/traces/, figures to DIR/summary.json. \
            Exit 0 no finding, 77 a finding, 1 the baseline failed, 64 usage.
            """)

    @Option(help: "Runs after the baseline (default 100 unless --duration is given).")
    var runs: Int?

    @Option(parsing: .unconditional, help: "Seconds to fuzz (instead of, or as well as, --runs).")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Seconds a run may take before it counts as a hang.")
    var timeout: Double = 30

    @Option(help: "Seed of the plans and of the lock's randomness.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Folder for findings.jsonl, traces/ and summary.json.", valueName: "dir"))
    var out: String = "fuzz-client-out"

    @Option(help: "Text stdout must contain for a run to count as success (known clients: the pyNukiBT driver prints 'all steps passed').")
    var successText: String?

    @Option(help: ArgumentHelp("Replay the plan of this trace (repeatable) instead of fuzzing; exit 77 when a run is still a finding.", valueName: "trace"))
    var replay: [String] = []

    @Option(help: ArgumentHelp("Run this named plan (a `lock serve --hostile` mode, or `adv` for every adv-* mode; repeatable) instead of fuzzing; no baseline.", valueName: "mode"))
    var plan: [String] = []

    @Option(help: ArgumentHelp(
        "Serve the hostile lock on a controller (bluez:hciN: L2CAP LE CID 4 and HCI advertising, the mutated advertising sent as it is) instead of the private discovery folder; give the client its own --transport.",
        valueName: "transport"))
    var transport: String = "socket"

    @Flag(inversion: .prefixedNo, help: "Mutate the lock's advertising too, in one plan of 5 (--no-advertising for a client that connects to LATCHKEY_FUZZ_SOCKET without scanning).")
    var advertising = true

    @Argument(parsing: .postTerminator, help: "The client command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the client command after --") }
        for name in plan where name != "adv" && !HostilePlan.named.contains(where: { $0.name == name }) {
            throw ValidationError("--plan is adv or one of \(HostilePlan.named.map(\.name).joined(separator: ", ")), not \(name)")
        }
        guard plan.isEmpty || replay.isEmpty else { throw ValidationError("--plan and --replay do not go together") }
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if let duration, !(duration > 0 && duration <= 31_536_000) { throw ValidationError("--duration must be above 0 and at most a year") }
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be above 0 and at most a day") }
        guard transport == "socket" || bluezAdapter != nil else { throw ValidationError("--transport is socket or bluez:hciN, not \(transport)") }
    }

    /// `hciN` of `--transport bluez:hciN`.
    var bluezAdapter: String? {
        guard transport.hasPrefix("bluez:") else { return nil }
        let adapter = String(transport.dropFirst("bluez:".count))
        return adapter.hasPrefix("hci") && adapter.count > 3 && adapter.dropFirst(3).allSatisfy(\.isNumber) ? adapter : nil
    }

    func run() throws {
        var options = ClientFuzzCampaign.Options(command: command, out: out)
        options.runs = runs ?? (duration == nil ? 100 : nil)
        options.duration = duration
        options.timeout = timeout
        options.seed = seed
        options.successText = successText
        options.advertising = advertising
        if let adapter = bluezAdapter {
            options.frontEnd = {
                let bluez = try BlueZFrontEnd(adapter: adapter)
                return (bluez, bluez.address)
            }
        }
        do {
            options.replay = try replay.map { path in
                let header = try ClientFuzzCampaign.readTrace(path)
                return (header.plan, header.runSeed)
            }
            let plans = plan.flatMap { name in name == "adv" ? HostilePlan.namedAdvertising : HostilePlan.named.filter { $0.name == name } }
            options.replay += plans.enumerated().map { ($0.element.plan, ClientFuzzCampaign.runSeed(campaign: seed, run: $0.offset + 1)) }
            let summary = try ClientFuzzCampaign(options: options) { Diagnostics.print($0) }.run()
            print("fuzz-client: \(summary.runs) runs in \(summary.seconds) s (\(summary.runsPerSecond)/s); "
                + ClientRunOutcome.Classification.allCases.map { "\($0.rawValue) \(summary.classes[$0.rawValue] ?? 0)" }.joined(separator: ", ")
                + "; \(summary.findings.count) distinct findings (\(out)/summary.json)")
            for finding in summary.findings {
                print("  \(finding.key) ×\(finding.count): \(finding.planLabel); \(finding.reason) (\(finding.trace))")
            }
            if !summary.findings.isEmpty { throw ExitCode(77) }
        } catch let failure as ClientFuzzCampaign.Failure {
            Diagnostics.print(failure.description)
            throw ExitCode(failure.exitCode)
        }
    }
}
