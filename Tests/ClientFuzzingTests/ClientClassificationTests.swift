import ClientFuzzing
import Foundation
import LockSession
import Testing

/// The four classes of `latchkey fuzz-client`, each caught on a client that carries the bug the
/// class exists for ("every guard gets its bug": the planted bugs are the clients in
/// `Clients/pairing_client.py`, one mode each), and the honest client never flagged.
@Suite(.serialized) struct ClientClassificationTests {
    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Clients/pairing_client.py").path

    /// A campaign of `plans` (replayed, no baseline) or of `runs` random runs against the pairing
    /// client in `mode`, in a fresh output folder.
    func campaign(_ mode: String, plans: [HostilePlan] = [], runs: Int? = nil, timeout: Double = 5, seed: UInt64 = 3) throws -> (ClientFuzzCampaign.Summary, String) {
        let out = NSTemporaryDirectory() + "fuzz-client-test-\(mode)-\(getpid())-\(UUID().uuidString)"
        var options = ClientFuzzCampaign.Options(command: ["python3", Self.client, mode], out: out)
        options.timeout = timeout
        options.seed = seed
        options.runs = runs
        // The pairing client connects to LATCHKEY_FUZZ_SOCKET without scanning.
        options.advertising = false
        options.replay = plans.enumerated().map { ($0.element, UInt64($0.offset)) }
        return (try ClientFuzzCampaign(options: options) { _ in }.run(), out)
    }

    @Test func crashingClientIsACrash() throws {
        let (summary, out) = try campaign("crash", plans: [HostilePlan(fault: .mutation(.payloadTruncated(bytes: 1)), message: 0)])
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(summary.classes == ["crash": 1, "hang": 0, "accepted-corrupted": 0, "ok": 0])
        let finding = try #require(summary.findings.first)
        #expect(finding.key == "crash/payload-truncated/PUBLIC_KEY(0x0003)")
        #expect(finding.reason == "Traceback (most recent call last): … struct.error: unpack requires a buffer of 36 bytes")
        // The trace: its header, then the transcript (the client's write, the lock's mutated reply).
        let lines = try String(contentsOfFile: finding.trace, encoding: .utf8).split(separator: "\n")
        let header = try ClientFuzzCampaign.readTrace(finding.trace)
        #expect(header.plan == HostilePlan(fault: .mutation(.payloadTruncated(bytes: 1)), message: 0))
        #expect(lines.count == 3)
        let reply = try JSONDecoder().decode(HostileLockServer.Entry.self, from: Data(lines[2].utf8))
        #expect(reply.from == "lock" && reply.message == 0 && reply.command == "PUBLIC_KEY(0x0003)" && reply.mustRefuse == true)
        #expect(reply.fault == "payload cut by 1 bytes")
        #expect(reply.hex.count == 35 * 2)
        let request = try JSONDecoder().decode(HostileLockServer.Entry.self, from: Data(lines[1].utf8))
        #expect(request.from == "client" && request.hex == "0100030027A7" && request.command == "REQUEST_DATA(0x0001)")
        // findings.jsonl has the one distinct finding.
        let findings = try String(contentsOfFile: out + "/findings.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(findings.count == 1)
    }

    @Test func hangingClientIsAHang() throws {
        let (summary, out) = try campaign("hang", plans: [HostilePlan(fault: .mutation(.payloadExtended(bytes: [0xAB])), message: 0)], timeout: 2)
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(summary.classes == ["crash": 0, "hang": 1, "accepted-corrupted": 0, "ok": 0])
        #expect(summary.findings.map(\.key) == ["hang/payload-extended/PUBLIC_KEY(0x0003)"])
        #expect(summary.findings.first?.reason == "no exit within the time limit")
    }

    @Test func clientWithoutACRCCheckAcceptsCorruptedData() throws {
        let (summary, out) = try campaign("accept", plans: [
            HostilePlan(fault: .mutation(.crcFlipped), message: 0), HostilePlan(fault: .mutation(.payloadByte(offset: 4, value: 0))),
        ])
        defer { try? FileManager.default.removeItem(atPath: out) }
        // The CRC flip is accepted; another key byte under a valid CRC is authentic data (ok).
        #expect(summary.classes == ["crash": 0, "hang": 0, "accepted-corrupted": 1, "ok": 1])
        #expect(summary.findings.map(\.key) == ["accepted-corrupted/crc/PUBLIC_KEY(0x0003)"])
        #expect(summary.findings.first?.reason == "reported success after message 0 (PUBLIC_KEY(0x0003): CRC bit 0 of the last byte flipped), which a correct client must refuse")
    }

    /// The same plans against the correct client: refused or accepted as they deserve, no finding.
    @Test func correctClientHasNoFinding() throws {
        let plans = [
            HostilePlan(fault: .mutation(.payloadTruncated(bytes: 1))), HostilePlan(fault: .mutation(.payloadExtended(bytes: [0xAB]))),
            HostilePlan(fault: .mutation(.crcFlipped)), HostilePlan(fault: .mutation(.payloadByte(offset: 4, value: 0))),
            HostilePlan(fault: .split([1, 7]), scope: .every), HostilePlan(fault: .mtuRefused, scope: .every), HostilePlan(fault: .mtuMinimum, scope: .every),
        ]
        let (summary, out) = try campaign("correct", plans: plans)
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(summary.classes == ["crash": 0, "hang": 0, "accepted-corrupted": 0, "ok": 7])
        #expect(summary.findings.isEmpty)
    }

    /// A random campaign (baseline, then drawn plans) against the correct client: nothing found;
    /// against the crashing one: a crash, exit-worthy.
    @Test func randomCampaigns() throws {
        let (clean, out) = try campaign("correct", runs: 20)
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(clean.runs == 20 && clean.findings.isEmpty && clean.baselineMessages == 1)
        let summary = try JSONDecoder().decode(ClientFuzzCampaign.Summary.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json")))
        #expect(summary.runs == 20 && summary.classes["ok"] == 20)
        let (buggy, out2) = try campaign("crash", runs: 20)
        defer { try? FileManager.default.removeItem(atPath: out2) }
        #expect(buggy.classes["crash", default: 0] > 0)
        // It checks nothing, so what does not crash it (a bad CRC, a frame cut short but whole) it accepts.
        #expect(buggy.findings.allSatisfy { $0.classification == .crash || $0.classification == .acceptedCorrupted }, "\(buggy.findings.map(\.key))")
    }

    /// The baseline must succeed: a client that fails against the honest lock stops the campaign.
    @Test func failingBaselineStopsTheCampaign() throws {
        let out = NSTemporaryDirectory() + "fuzz-client-test-false-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = ClientFuzzCampaign.Options(command: ["false"], out: out)
        options.runs = 1
        #expect(throws: ClientFuzzCampaign.Failure.self) { try ClientFuzzCampaign(options: options) { _ in }.run() }
    }

    // MARK: The classifier's rules

    static let refusedReply = HostileLockServer.Entry(
        from: "lock", message: 3, connection: 1, characteristic: "keyturnerUSDIO", command: "STATUS(0x000E)", fault: "MAC bit flipped",
        mustRefuse: true, hex: "00", milliseconds: 0)

    @Test func classifierRules() {
        func classify(_ t: ClientRunOutcome.Termination, out: String = "", err: String = "", bad: Bool = false, text: String? = nil) -> ClientRunOutcome {
            ClientRunOutcome.classify(termination: t, stdout: out, stderr: err, transcript: bad ? [Self.refusedReply] : [], successText: text)
        }
        #expect(classify(.timedOut).classification == .hang)
        #expect(classify(.signalled(11)) == ClientRunOutcome(classification: .crash, termination: .signalled(11), reason: "killed by signal 11", succeeded: false))
        #expect(classify(.exited(139)).reason == "exit 139: a process killed by signal 11")
        #expect(classify(.exited(1), err: "x\nTraceback (most recent call last):\n  File \"a\"\nKeyError: 3\n").reason == "Traceback (most recent call last): … KeyError: 3")
        #expect(classify(.exited(0), err: "Fatal error: Index out of range\n").classification == .crash)
        #expect(classify(.exited(0), bad: true).classification == .acceptedCorrupted)
        #expect(classify(.exited(0), out: "partial", bad: true, text: "all steps passed") == ClientRunOutcome(
            classification: .ok, termination: .exited(0), reason: "refused (exit 0 without the success text)", succeeded: false))
        #expect(classify(.exited(0), out: "all steps passed\n", bad: true, text: "all steps passed").classification == .acceptedCorrupted)
        #expect(classify(.exited(1), bad: true) == ClientRunOutcome(classification: .ok, termination: .exited(1), reason: "refused (exit 1)", succeeded: false))
        #expect(classify(.exited(0)) == ClientRunOutcome(classification: .ok, termination: .exited(0), reason: "succeeded", succeeded: true))
        // A corrupted message the client's ATT layer never confirmed (dropped) does not count.
        var dropped = Self.refusedReply
        dropped.confirmed = false
        #expect(ClientRunOutcome.classify(termination: .exited(0), stdout: "", stderr: "", transcript: [dropped], successText: nil).classification == .ok)
        dropped.confirmed = true
        #expect(ClientRunOutcome.classify(termination: .exited(0), stdout: "", stderr: "", transcript: [dropped], successText: nil).classification == .acceptedCorrupted)
    }

}
