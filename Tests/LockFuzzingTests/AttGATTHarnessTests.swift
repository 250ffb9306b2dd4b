import BLEATT
import BLEGATT
import LockFuzzing
import NukiProfile
import Testing

/// The ATT/GATT target's invariants fire on wrong answers, and real GATT sessions pass it.
@Suite struct AttGATTHarnessTests {
    let profile = NukiGATTProfile(nukiID: 0x2A37_3E5F)
    let read = ATTOpcode(rawValue: 0x0A)

    @Test func requestAnsweredFiresOnMissingExtraOrWrongAnswers() {
        var server = GATTServer(database: profile.database)
        let a = server.connect()
        let pdu: [UInt8] = [0x0A, 0x03, 0x00]
        #expect(AttGATTHarness.checkAnswered(read, events: [.send(a, [0x0B, 0x41])], id: a, mtu: 23, pdu: pdu) == nil)
        #expect(AttGATTHarness.checkAnswered(read, events: [.send(a, [0x01, 0x0A, 0x03, 0x00, 0x02])], id: a, mtu: 23, pdu: pdu) == nil)
        #expect(AttGATTHarness.checkAnswered(read, events: [], id: a, mtu: 23, pdu: pdu)?.name == "request-answered")
        #expect(AttGATTHarness.checkAnswered(read, events: [.send(a, [0x0B]), .send(a, [0x0B])], id: a, mtu: 23, pdu: pdu)?.name == "request-answered")
        #expect(AttGATTHarness.checkAnswered(read, events: [.send(a, [0x13])], id: a, mtu: 23, pdu: pdu)?.name == "request-answered")
        #expect(AttGATTHarness.checkAnswered(read, events: [.send(a, [0x01, 0x12, 0x03, 0x00, 0x02])], id: a, mtu: 23, pdu: pdu)?.name == "request-answered")
        let b = server.connect()
        #expect(AttGATTHarness.checkAnswered(read, events: [.send(b, [0x0B])], id: a, mtu: 23, pdu: pdu)?.name == "request-answered")
    }

    @Test func sentPDUChecksFire() {
        var server = GATTServer(database: profile.database)
        let a = server.connect()
        var model: [GATTConnectionID: [UInt16: UInt16]] = [:]
        #expect(AttGATTHarness.checkEvents([.send(a, [0x0B] + [UInt8](repeating: 0x41, count: 22))], server: server, configurations: &model) == nil)
        #expect(AttGATTHarness.checkEvents([.send(a, [0x0B] + [UInt8](repeating: 0x41, count: 23))], server: server, configurations: &model)?.name == "sent-pdu-within-mtu")
        #expect(AttGATTHarness.checkEvents([.send(a, [0x01, 0x0A])], server: server, configurations: &model)?.name == "sent-pdu-decodes")
        #expect(AttGATTHarness.checkEvents([.send(a, [0x0A, 0x03, 0x00])], server: server, configurations: &model)?.name == "sent-pdu-server-role")
        #expect(AttGATTHarness.checkEvents([.valueWritten(a, profile.pairingGDIO, [UInt8](repeating: 0, count: 513))], server: server, configurations: &model)?.name == "written-value-fits")
        let usdio = profile.keyturnerUSDIO
        #expect(AttGATTHarness.checkEvents([.clientConfigurationChanged(a, usdio, 0x0002)], server: server, configurations: &model) == nil)
        #expect(usdio.clientConfigurationHandle.flatMap { model[a]?[$0] } == 0x0002)
    }

    /// A CCCD written through the harness is seen by the model, so the `cccd-only-by-write` check
    /// compares real values: indicate on the Keyturner USDIO's CCCD, then a 30-octet indication at
    /// ATT_MTU 23 (two chunks, both confirmed).
    @Test func cccdWriteAndChunkedIndicationPass() throws {
        let cccd = try #require(profile.keyturnerUSDIO.clientConfigurationHandle)
        let write: [UInt8] = [0x12, UInt8(truncatingIfNeeded: cccd), UInt8(truncatingIfNeeded: cccd >> 8), 0x02, 0x00]
        let input: [UInt8] = [0x00, UInt8(write.count)] + write + [0x01, 30, 0] + [0x00, 1, 0x1E, 0x00, 1, 0x1E]
        #expect(FuzzTarget.attGATT.check(input[...]) == nil)
    }

    @Test func setASeedsPass() {
        let seeds = AttGATTHarness.seeds(messages: [[0x01, 0x00, 0x03, 0x00, 0x27, 0xA7], [UInt8](repeating: 0x11, count: 38)])
        #expect(seeds.count == 9)
        for seed in seeds {
            #expect(FuzzTarget.attGATT.check(seed[...]) == nil, "\(seed.count) bytes")
        }
    }
}
