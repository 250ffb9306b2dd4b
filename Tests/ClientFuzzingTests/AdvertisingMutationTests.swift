import BLETransport
import ClientFuzzing
import Foundation
import LockCrypto
import NukiProfile
import Testing

/// The hostile lock's advertising mutations (issue 14 item 5): their exact bytes, the rule of what a
/// correct client must refuse (and that Latchkey's own parser refuses exactly that), and a naive
/// scanning client (`Clients/discovery_client.py`) found by `fuzz-client` with them.
@Suite(.serialized) struct AdvertisingMutationTests {
    let nukiID: UInt32 = 0x2A37_599A
    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Clients/discovery_client.py").path

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    @Test func mutationsMakeTheirExactBytes() {
        let name = "0E094E756B695F3241333735393941"
        let pairing = "020106" + "1521" + "669A0C2000086C91E411015500E12EA9"
        let beacon = "020106" + "1AFF4C000215" + "A92EE200550111E4916C0800200C9A66"
        var made = AdvertisingMutation.lengthDelta(structure: 1, delta: 1).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == "020106" + "1621" + "669A0C2000086C91E411015500E12EA9" + "2A37599A" && hex(made.scanResponse) == name)
        made = AdvertisingMutation.lengthZero(structure: 1).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == "020106" + "0021" + "669A0C2000086C91E411015500E12EA9" + "2A37599A")
        made = AdvertisingMutation.shortNukiID(bytes: 2).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == "020106" + "1321" + "669A0C2000086C91E411015500E12EA9" + "2A37")
        made = AdvertisingMutation.beaconPrefix([0x4C, 0x00, 0x02, 0x16]).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == "020106" + "1AFF4C000216" + "A92EE200550111E4916C0800200C9A66" + "2A37599AC4")
        made = AdvertisingMutation.beaconNukiID(0xDEAD_BEEF).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == beacon + "DEADBEEFC4" && hex(made.scanResponse) == name)
        made = AdvertisingMutation.manufacturerDataBytes(26).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == "020106" + "1BFF4C000215" + "A92EE200550111E4916C0800200C9A66" + "2A37599AC4EE")
        made = AdvertisingMutation.conflicting(0xDEAD_BEEF).bytes(nukiID: nukiID)
        #expect(hex(made.advertisingData) == pairing + "2A37599A" && hex(made.scanResponse) == "1521" + "669A0C2000086C91E411015500E12EA9" + "DEADBEEF")
        made = AdvertisingMutation.localName([0x4E, 0xFF]).bytes(nukiID: nukiID)
        #expect(hex(made.scanResponse) == "03094EFF")
        #expect(hex(AdvertisingMutation.stateChangedFlapping.bytes(nukiID: nukiID, flap: true).advertisingData) == beacon + "2A37599AC5")
        #expect(AdvertisingMutation.beaconNukiID(0xDEAD_BEEF).label == "advertising: iBeacon for Nuki ID DEADBEEF, the name another")
        #expect(HostilePlan.namedAdvertising.count == 14)
    }

    /// What a correct client must refuse is what Latchkey's own parser (the keypad's and fob's
    /// DiscoveryScanner) refuses: for every named plan and 400 drawn ones.
    @Test func latchkeysParserRefusesExactlyWhatACorrectClientMust() {
        var mutations = HostilePlan.namedAdvertising.compactMap { named -> AdvertisingMutation? in
            if case .advertising(let mutation) = named.plan.fault { return mutation }
            return nil
        }
        for seed in 0..<400 {
            let plan = HostilePlan.random(SeededRandomSource(seed: UInt64(seed)), profile: HostilePlan.genericProfile, advertising: true, nukiID: nukiID)
            if case .advertising(let mutation) = plan.fault { mutations.append(mutation) }
        }
        #expect(mutations.count > 80)
        #expect(Set(mutations.map(\.field)).count == 12)
        var refused = 0
        for mutation in mutations {
            for flap in [false, true] {
                let (data, response) = mutation.bytes(nukiID: nukiID, flap: flap)
                let parsed = try? NukiAdvertisement(advertisingData: data, scanResponse: response)
                #expect((parsed == nil) == mutation.mustRefuse(nukiID: nukiID), "\(mutation.label): parsed \(String(describing: parsed))")
                if let parsed { #expect(parsed.nukiID == nukiID, "\(mutation.label)") }
                if parsed == nil { refused += 1 }
            }
        }
        #expect(refused > 0 && refused < mutations.count * 2)
    }

    @Test func plansCodeAsJSON() throws {
        let plan = HostilePlan(fault: .advertising(.beaconNukiID(0xDEAD_BEEF)), scope: .every)
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(HostilePlan.self, from: data) == plan)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(HostileFault.advertising(.shortNukiID(bytes: 2))), as: UTF8.self)
            == #"{"advertising":{"_0":{"shortNukiID":{"bytes":2}}}}"#)
        #expect(plan.label == "advertising: iBeacon for Nuki ID DEADBEEF, the name another")
    }

    func campaign(_ plans: [HostilePlan]) throws -> (ClientFuzzCampaign.Summary, String) {
        let out = NSTemporaryDirectory() + "fuzz-client-adv-test-\(getpid())-\(UUID().uuidString)"
        var options = ClientFuzzCampaign.Options(command: ["python3", Self.client], out: out)
        options.timeout = 5
        options.replay = plans.enumerated().map { ($0.element, UInt64($0.offset)) }
        return (try ClientFuzzCampaign(options: options) { _ in }.run(), out)
    }

    /// The naive scanning client, against every adv-* plan and the honest lock: it crashes on
    /// malformed AD and a name that is not UTF-8, and connects to advertising a correct client
    /// refuses. Each finding's trace holds the plan and the AD bytes, and replays to the same class.
    @Test func naiveScanningClientIsFound() throws {
        let (summary, out) = try campaign(HostilePlan.namedAdvertising.map(\.plan) + [.honest])
        defer { try? FileManager.default.removeItem(atPath: out) }
        // The naive client lists the discovery folder while the flapping lock replaces its record
        // every 20 ms: on a busy machine it sometimes finds none and raises IndexError (2 runs of 6
        // at a load average of 17). That finding is real but timing-dependent, so it is left out.
        let flapping = "crash/adv-state-flapping/advertising"
        let flapped = summary.findings.contains { $0.key == flapping } ? 1 : 0
        #expect(summary.classes == ["crash": 4 + flapped, "hang": 0, "accepted-corrupted": 7, "ok": 4 - flapped])
        #expect(summary.findings.map(\.key).filter { $0 != flapping } == [
            "crash/adv-length/advertising", "accepted-corrupted/adv-service-uuid/advertising", "crash/adv-short-nuki-id/advertising",
            "accepted-corrupted/adv-nuki-id/advertising", "accepted-corrupted/adv-beacon-prefix/advertising",
            "accepted-corrupted/adv-beacon-nuki-id/advertising", "crash/adv-manufacturer-length/advertising",
            "accepted-corrupted/adv-manufacturer-length/advertising", "accepted-corrupted/adv-conflicting/advertising",
            "accepted-corrupted/adv-local-name/advertising", "crash/adv-local-name/advertising",
        ])
        let beacon = try #require(summary.findings.first { $0.key == "accepted-corrupted/adv-beacon-nuki-id/advertising" })
        #expect(beacon.reason == "connected and reported success on advertising a correct client must refuse (advertising: iBeacon for Nuki ID DEADBEEF, the name another)")
        let lines = try String(contentsOfFile: beacon.trace, encoding: .utf8).split(separator: "\n")
        #expect(try ClientFuzzCampaign.readTrace(beacon.trace).plan == HostilePlan(fault: .advertising(.beaconNukiID(0xDEAD_BEEF)), scope: .every))
        let advertising = try JSONDecoder().decode(HostileLockServer.Entry.self, from: Data(lines[1].utf8))
        #expect(advertising.characteristic == "advertising" && advertising.mustRefuse == true && advertising.confirmed == true)
        #expect(advertising.hex == "0201061AFF4C000215A92EE200550111E4916C0800200C9A66DEADBEEFC4")
        let response = try JSONDecoder().decode(HostileLockServer.Entry.self, from: Data(lines[2].utf8))
        #expect(response.characteristic == "scanResponse" && response.hex == "0E094E756B695F3241333735393941")
        let crash = try #require(summary.findings.first { $0.key == "crash/adv-length/advertising" })
        #expect(crash.reason == "Traceback (most recent call last): … IndexError: index out of range")
        // Replaying the traces' plans reproduces the findings.
        let (again, out2) = try campaign(summary.findings.map { try ClientFuzzCampaign.readTrace($0.trace).plan })
        defer { try? FileManager.default.removeItem(atPath: out2) }
        #expect(again.findings.map(\.key).filter { $0 != flapping } == summary.findings.map(\.key).filter { $0 != flapping })
    }

    /// Random plans for a scanning client draw advertising mutations (one in 5), never for a
    /// client that does not scan.
    @Test func randomPlansDrawAdvertisingOnlyForScanningClients() {
        let scanning = (0..<100).map { HostilePlan.random(SeededRandomSource(seed: UInt64($0)), profile: HostilePlan.genericProfile, advertising: true) }
        let count = scanning.filter(\.fault.isAdvertising).count
        #expect(count > 5 && count < 40)
        let direct = (0..<100).map { HostilePlan.random(SeededRandomSource(seed: UInt64($0)), profile: HostilePlan.genericProfile) }
        #expect(!direct.contains { $0.fault.isAdvertising })
    }
}
