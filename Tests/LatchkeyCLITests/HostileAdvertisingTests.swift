import Foundation
import NukiProfile
import Testing

/// Issue 14 item 5, advertising: Latchkey's own keypad and fob, which find their lock with
/// DiscoveryScanner and NukiAdvertisement, meet every `adv-*` plan of `latchkey fuzz-client` and
/// give no finding (exit 0): they refuse the advertising a correct client must refuse and pair
/// through what is valid (the honest lock, the Nuki structure twice, a name that is not UTF-8).
@Suite(.serialized) struct HostileAdvertisingTests {
    @Test(arguments: ["keypad", "fob"]) func ownPeripheralsHaveNoAdvertisingFinding(peripheral: String) throws {
        let folder = NSTemporaryDirectory() + "latchkey-adv-\(peripheral)-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try MultiProcessTests.binary()
        let run = try MultiProcessTests.run(
            ["fuzz-client", "--plan", "adv", "--plan", "honest", "--timeout", "20", "--out", folder + "/out", "--", binary, peripheral, "pair", "--state",
                "\(peripheral).json"], in: folder)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.hasPrefix("fuzz-client: 15 runs in "))
        #expect(run.output.contains("; crash 0, hang 0, accepted-corrupted 0, ok 15; 0 distinct findings (\(folder)/out/summary.json)"), "\(run.output)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/summary.json"))) as? [String: Any]
        #expect(summary?["runs"] as? Int == 15)
    }
}
