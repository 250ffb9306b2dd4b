import Foundation
import Testing

/// Issue 17, "Nothing acknowledged is ever lost": `latchkey lock serve` killed with SIGKILL at
/// random moments while an admin, a keypad and a fob work it over the socket link; after every
/// kill the state file loads and holds every change a client was acknowledged (what each
/// acknowledgement promises: `CrashLedger.swift`; the campaign: `CrashCampaign.swift`).
@Suite(.serialized) struct CrashConsistencyTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Kill -9s: `LATCHKEY_CRASH_KILLS` (`scripts/crash-consistency.sh`, run by CI, makes 1,000),
    /// else 150; seed `LATCHKEY_CRASH_SEED`, else 17. Fails on any loss, on any other broken
    /// expectation (a refusal the campaign did not expect, a stuck life), and when the campaign
    /// acknowledged too little to mean anything: at least 2 acknowledgements per kill, 40 % of
    /// the kills right after an acknowledgement, every kind of acknowledgement killed after (one
    /// kill in 150 each), and kills right after writes and Write Responses.
    @Test func everyAcknowledgedChangeSurvivesKill9() throws {
        let kills = Int(Self.environment["LATCHKEY_CRASH_KILLS"] ?? "") ?? 150
        let seed = UInt64(Self.environment["LATCHKEY_CRASH_SEED"] ?? "") ?? 17
        let folder = NSTemporaryDirectory() + "latchkey-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let campaign = try CrashCampaign(binary: try MultiProcessTests.binary(), folder: folder, seed: seed)
        try campaign.run(kills: kills)
        let figures = campaign.figures
        print("seed \(seed)\n\(figures)")
        #expect(figures.failures.count == 0, "\(figures.failures.prefix(20).joined(separator: "\n"))")
        #expect(figures.lost == 0)
        #expect(figures.kept == figures.acknowledged)
        #expect(figures.kills == kills)

        // Enough to mean something.
        #expect(figures.acknowledged >= 2 * kills)
        #expect(figures.killsRightAfterAcknowledgement * 10 >= 4 * kills)
        let byKind = figures.killsRightAfterAcknowledgementByKind
        func after(_ matching: (String) -> Bool) -> Int { byKind.filter { matching($0.key) }.values.reduce(0, +) }
        let kinds: [(String, Int)] = [
            ("pairing COMPLETE", after { $0 == "pairing COMPLETE" }),
            ("Keypad Code ID", after { $0 == "Keypad Code ID" }),
            ("COMPLETE of a code or config change", after { ["COMPLETE (update code)", "COMPLETE (remove code)", "COMPLETE (set config)"].contains($0) }),
            ("COMPLETE of Remove Authorization Entry", after { $0 == "COMPLETE (remove authorization)" }),
            ("ACCEPTED", after { $0.hasPrefix("ACCEPTED") }),
            ("COMPLETE after a motor run", after { $0.hasPrefix("COMPLETE (") && ($0.contains("lock") || $0.contains("fob") || $0.contains("keypad code")) }),
            ("K_ERROR_CODE_INVALID", after { $0 == "K_ERROR_CODE_INVALID" }),
            ("K_ERROR_BAD_PIN", after { $0 == "K_ERROR_BAD_PIN" }),
            ("ACCEPTED of an NFC tap", after { $0 == "ACCEPTED (NFC tap)" }),
        ]
        for (kind, count) in kinds {
            #expect(count >= max(1, kills / 150), "kills right after \(kind): \(count)")
        }
        #expect(figures.killsRightAfterWrite * 20 >= kills)
        #expect(figures.killsRightAfterWriteResponse * 20 >= kills)
        #expect(figures.writeResponses >= kills)
    }
}
