import BLETransport
import Foundation
import Testing

/// btsnoop and pcap captures of ATT PDUs in synthetic H4 ACL + L2CAP CID 4 framing.
@Suite struct CaptureTests {
    /// 2026-01-01T00:00:00Z in µs since the Unix epoch.
    static let fixedClock: @Sendable () -> Int64 = { 1_767_225_600_000_000 }

    @Test func h4FramingOfAWriteRequest() {
        // 02 | handle 0x040, PB 00 | ACL length 13 | L2CAP length 9, CID 4 | ATT
        #expect(CaptureWriter.h4Packet(hex("12 0300 0100030027A7"), direction: .sent, connectionHandle: 0x0040)
            == hex("02 4000 0D00 0900 0400 12 0300 0100030027A7"))
        #expect(CaptureWriter.h4Packet(hex("1E"), direction: .received, connectionHandle: 0x0040)
            == hex("02 4020 0500 0100 0400 1E"))
    }

    @Test func btsnoopBytes() throws {
        let dir = try temporaryDirectory("btsnoop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try CaptureWriter(path: dir + "/a.btsnoop", clock: Self.fixedClock)
        writer.record(hex("1E"), direction: .received)
        writer.close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/a.btsnoop")))
        let micros = UInt64(1_767_225_600_000_000 + 0x00E0_3AB4_4A67_6000)
        let stamp = (0..<8).reversed().map { UInt8(truncatingIfNeeded: micros >> (8 * UInt64($0))) }
        #expect(bytes == Array("btsnoop".utf8) + hex("00 00000001 000003EA") + hex("0000000A 0000000A 00000001 00000000") + stamp + hex("02 4020 0500 0100 0400 1E"))
    }

    @Test func pcapBytes() throws {
        let dir = try temporaryDirectory("pcap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try CaptureWriter(path: dir + "/a.pcap", clock: Self.fixedClock)
        #expect(writer.format == .pcap)
        writer.record(hex("13"), direction: .sent)
        writer.close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/a.pcap")))
        #expect(bytes == hex("D4C3B2A1 0200 0400 00000000 00000000 FFFF0000 C9000000")
            + hex("00B95569 00000000 0E000000 0E000000") + hex("00000000") + hex("02 4000 0500 0100 0400 13"))
    }

    @Test func tapRecordsBothDirectionsAndEnvironmentEnablesIt() throws {
        let dir = try temporaryDirectory("tap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (lock, phone) = InProcessLink.pair()
        #expect(CaptureTap.wrapping(lock, environment: [:]) === lock)
        let tapped = CaptureTap.wrapping(lock, environment: ["LATCHKEY_CAPTURE": dir + "/env.pcap"])
        let tap = try #require(tapped as? CaptureTap)
        #expect(tap.writer.format == .pcap)
        try phone.send(hex("12 0400 0200"))
        #expect(try tapped.receive(timeout: .zero) == hex("12 0400 0200"))
        try tapped.send(hex("13"))
        tap.writer.close()
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/env.pcap")[.size] as? Int
        #expect(size == 24 + (16 + 4 + 14) + (16 + 4 + 10))
    }

    /// A lock-side capture of write requests and indications, dissected by tshark.
    @Test(.enabled(if: tsharkPath != nil, "tshark is not installed (apt-get install -y tshark); capture dissection skipped"),
        arguments: ["exchange.btsnoop", "exchange.pcap"])
    func tsharkDissectsWritesAndIndications(file: String) throws {
        let dir = try temporaryDirectory("tshark")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (lock, phone) = InProcessLink.pair()
        let tap = CaptureTap(link: lock, writer: try CaptureWriter(path: dir + "/" + file))
        let exchange: [(fromPhone: Bool, pdu: [UInt8])] = [
            (true, hex("12 0400 0200")), (false, hex("13")),
            (true, hex("12 0300 0100030027A7")), (false, hex("13")),
            (false, hex("1D 0300 03002FE57DA347CD62431528DAAC5FBB2907")), (true, hex("1E")),
            (true, hex("16 0A00 0000 37917F1AF31EC5940705F34D1E5550607D5B")), (false, hex("17 0A00 0000 37917F1AF31EC5940705F34D1E5550607D5B")),
            (true, hex("18 01")), (false, hex("19")),
            (false, hex("1D 0A00 90B0757CFED0243017EAF5E089F8583B9839D61B")), (true, hex("1E")),
        ]
        for step in exchange {
            if step.fromPhone {
                try phone.send(step.pdu)
                #expect(try tap.receive(timeout: .zero) == step.pdu)
            } else {
                try tap.send(step.pdu)
                #expect(try phone.receive(timeout: .zero) == step.pdu)
            }
        }
        tap.writer.close()
        let fields = try dissect(dir + "/" + file)
        #expect(fields.map(\.opcode) == exchange.map { $0.pdu[0] })
        let writes = fields.filter { $0.opcode == 0x12 }.map(\.handle)
        #expect(writes == [0x0004, 0x0003])
        let indications = fields.filter { $0.opcode == 0x1D }.map(\.handle)
        #expect(indications == [0x0003, 0x000A])
        #expect(fields.first { $0.opcode == 0x16 }?.handle == 0x000A)
    }
}
