import BLEATT
import BLETransport
import BlueZTransport
import NukiProfile
import Testing

/// LE Advertising Report parsing (Core 5.4, Vol 4, Part E, §7.7.65.2): well-formed events, a
/// table of malformed ones (typed error, never a trap), and the Nuki round trip.
@Suite struct AdvertisingReportTests {
    /// Two reports in one event: ADV_IND from a public address, SCAN_RSP from a random one.
    @Test func parsesReportsBackToBack() throws {
        let packet = hex("""
            04 3E 1D 02 02
            00 00 FF EE DD CC BB AA 03 02 01 06 C4
            04 01 06 05 04 03 02 C1 04 03 09 41 42 7F
            """)
        let reports = try AdvertisingReport.parse(packet: packet)
        #expect(reports.count == 2)
        #expect(reports[0].eventType == .connectableUndirected)
        #expect(reports[0].address == (try address("AA:BB:CC:DD:EE:FF")))
        #expect(reports[0].addressType == .public)
        #expect(reports[0].data == hex("02 01 06"))
        #expect(reports[0].rssi == -60)
        #expect(reports[1].eventType == .scanResponse)
        #expect(reports[1].address == (try address("C1:02:03:04:05:06")))
        #expect(reports[1].addressType == .random)
        #expect(reports[1].data == hex("03 09 41 42"))
        #expect(reports[1].rssi == nil)
    }

    static let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("only the packet type", hex("04")),
        ("command complete, not LE meta", hex("04 0E 04 01 06 20 00")),
        ("LE meta, connection complete subevent", hex("04 3E 02 01 00")),
        ("ACL packet", hex("02 3E 02 02 00")),
        ("header only", hex("04 3E 01 02")),
        ("num reports 0", hex("04 3E 02 02 00")),
        ("num reports 26", hex("04 3E 02 02 1A")),
        ("parameter length too long", hex("04 3E 0F 02 01 00 00 FF EE DD CC BB AA 00 C4")),
        ("parameter length too short", hex("04 3E 0B 02 01 00 00 FF EE DD CC BB AA 00 C4")),
        ("report cut in the address", hex("04 3E 06 02 01 00 00 FF EE")),
        ("report without RSSI", hex("04 3E 0B 02 01 00 00 FF EE DD CC BB AA 00")),
        ("data length overruns", hex("04 3E 0F 02 01 00 00 FF EE DD CC BB AA 05 02 01 06 C4")),
        ("data length 32", hex("04 3E 0C 02 01 00 00 FF EE DD CC BB AA 20 C4")),
        ("data length 255", hex("04 3E 0C 02 01 00 00 FF EE DD CC BB AA FF C4")),
        ("two reports announced, one present", hex("04 3E 0C 02 02 00 00 FF EE DD CC BB AA 00 C4")),
        ("trailing octets", hex("04 3E 0D 02 01 00 00 FF EE DD CC BB AA 00 C4 00")),
        ("unknown event type", hex("04 3E 0C 02 01 05 00 FF EE DD CC BB AA 00 C4")),
        ("parameter length 255, 3 octets", hex("04 3E FF 02 01")),
    ]

    @Test(arguments: malformed)
    func malformedEventIsATypedError(name: String, packet: [UInt8]) {
        let error = bluetoothError { () throws(BluetoothError) in try AdvertisingReport.parse(packet: packet) }
        #expect(error?.code == .malformedEvent, "\(name)")
    }

    /// Every prefix and every single-octet corruption of a valid event: parsed or refused, no trap.
    @Test func noPrefixOrCorruptionTraps() throws {
        let valid = AdvertisingReport(eventType: .connectableUndirected, addressTypeValue: 1, address: try address("C4:5B:BE:00:00:01"),
                                      data: NukiAdvertisement(nukiID: 0x2A37_599A, mode: .paired(statusChanged: false)).advertisingData, rssi: -70).encodedPacket
        for end in 0...valid.count { _ = try? AdvertisingReport.parse(packet: Array(valid[0..<end])) }
        for index in valid.indices {
            for value: UInt8 in [0x00, 0x01, 0x1F, 0x20, 0x7F, 0xFF] {
                var corrupted = valid
                corrupted[index] = value
                _ = try? AdvertisingReport.parse(packet: corrupted)
            }
        }
        #expect(try AdvertisingReport.parse(packet: valid).count == 1)
    }

    /// NukiAdvertisement bytes → LE Set Advertising/Scan Response Data parameters → a synthetic
    /// advertising report per PDU → parsed → NukiAdvertisement again.
    @Test(arguments: [
        NukiAdvertisement(nukiID: 0x2A37_599A, mode: .paired(statusChanged: true)),
        NukiAdvertisement(nukiID: 0x2A37_599A, mode: .paired(statusChanged: false)),
        NukiAdvertisement(nukiID: 0x0000_0001, mode: .pairing(service: NukiUUIDs.pairingService)),
        NukiAdvertisement(nukiID: 0xFFFF_FFFF, mode: .pairing(service: NukiUUIDs.ultraPairingService), localName: "Nuki_Opener_FFFFFFFF"),
    ])
    func nukiAdvertisementRoundTrip(advertisement: NukiAdvertisement) throws {
        let dataCommand = try HCICommand.setAdvertisingData(advertisement.advertisingData)
        let responseCommand = try HCICommand.setScanResponseData(advertisement.scanResponse)
        // What the controller puts on air: the first Data_Length octets of each command.
        func onAir(_ command: HCICommand) throws -> [UInt8] {
            let length = Int(try #require(command.parameters.first))
            return Array(command.parameters.dropFirst().prefix(length))
        }
        let lock = try address("C4:5B:BE:2A:37:59")
        let adv = AdvertisingReport(eventType: .connectableUndirected, addressTypeValue: 0, address: lock, data: try onAir(dataCommand), rssi: -58)
        let rsp = AdvertisingReport(eventType: .scanResponse, addressTypeValue: 0, address: lock, data: try onAir(responseCommand), rssi: -59)
        var result = ScanResult()
        for report in try AdvertisingReport.parse(packet: adv.encodedPacket) + AdvertisingReport.parse(packet: rsp.encodedPacket) {
            result.add(report)
        }
        let device = try #require(result.device(lock))
        #expect(device.connectable)
        #expect(device.rssi == -59)
        let parsed = try NukiAdvertisement(advertisingData: device.advertisingData, scanResponse: device.scanResponse)
        #expect(parsed.nukiID == advertisement.nukiID)
        #expect(parsed.mode == advertisement.mode)
        #expect(parsed.localName == (advertisement.localName ?? NukiAdvertisement.name(advertisement.nukiID)))
        #expect(device.nukiAdvertisement == parsed)
    }
}
