import BLETransport
import BlueZTransport
import NukiProfile
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Against two real kernel controllers on one virtual air: the VM lane's `btvirt -L -l2` (hci0,
/// hci1; Tests/BlueZVM). Runs only with `LATCHKEY_REQUIRE_BLUETOOTH=1`, and then fails — never
/// skips — when the controllers are missing. hci0 advertises the Nuki pairing-mode AD bytes
/// (docs/wire.md §1.3) and hci1 must scan them back exactly; then hci1 connects to hci0's ATT
/// channel (L2CAP LE, CID 4) and one ATT PDU crosses each way with its boundaries kept.
@Suite(.serialized) struct LiveControllerTests {
    static let lockAdapter = "hci0"
    static let centralAdapter = "hci1"
    let nuki = NukiAdvertisement(nukiID: 0x2A37_599A, mode: .pairing(service: NukiUUIDs.pairingService))

    @Test(.enabled(if: LiveBluetoothTests.requireBluetooth, "needs LATCHKEY_REQUIRE_BLUETOOTH=1 and btvirt's hci0/hci1 (the VM lane)"))
    func nukiAdvertisingAndATTChannelCrossTheKernelStack() throws {
        let advertiser = try HCIAdvertiser(adapter: Self.lockAdapter)
        defer { advertiser.close() }
        let scanner = try HCIScanner(adapter: Self.centralAdapter)
        defer { scanner.close() }
        let lock = try advertiser.adapterAddress()
        let central = try scanner.adapterAddress()
        #expect(lock != central)

        try advertiser.advertise(nuki, parameters: try AdvertisingParameters())
        try scanner.start(try ScanParameters(active: true))
        // The deadline only bounds a hang; the assertions are on the bytes.
        var seen = ScanResult()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            for report in try scanner.nextReports(timeout: .milliseconds(200)) { seen.add(report) }
            if let device = seen.device(lock), !device.advertisingData.isEmpty, !device.scanResponse.isEmpty { break }
        }
        try scanner.stop()
        let device = try #require(seen.device(lock), "hci1 saw no advertising from hci0 \(lock)")
        #expect(device.advertisingData == nuki.advertisingData)
        #expect(device.advertisingData == hex("02 01 06 15 21 66 9A 0C 20 00 08 6C 91 E4 11 01 55 00 E1 2E A9 2A 37 59 9A"))
        #expect(device.scanResponse == hex("0E 09") + Array("Nuki_2A37599A".utf8))
        #expect(device.connectable)
        #expect(device.addressType == .public)
        #expect(device.nukiAdvertisement == NukiAdvertisement(nukiID: 0x2A37_599A, mode: .pairing(service: NukiUUIDs.pairingService), localName: "Nuki_2A37599A"))

        let listener = try L2CAPListener(adapter: lock)
        defer { listener.close() }
        let link = try L2CAPLink.connect(to: lock, addressType: .public, from: central, timeout: .seconds(10))
        defer { link.close() }
        let accepted = try #require(try listener.accept(timeout: .seconds(10)), "hci0 accepted no ATT channel")
        defer { accepted.close() }
        #expect(accepted.peer.address == central)
        #expect(accepted.peer.cid == 4)
        // Exchange MTU Request 247 (Core Vol 3 Part F §3.4.2.1) and its response 517.
        try link.send(hex("02 F7 00"))
        #expect(try accepted.receive(timeout: .seconds(5)) == hex("02 F7 00"))
        try accepted.send(hex("03 05 02"))
        #expect(try link.receive(timeout: .seconds(5)) == hex("03 05 02"))
        // A 200-octet Handle Value Indication arrives whole (one SDU, boundaries kept).
        let indication = hex("1D 03 00") + (0..<197).map { UInt8(truncatingIfNeeded: $0) }
        try accepted.send(indication)
        #expect(try link.receive(timeout: .seconds(5)) == indication)
        link.close()
        // The central hung up: the lock's side reads the end of the stream.
        let end = transportError { () throws(TransportError) in _ = try accepted.receive(timeout: .seconds(15)) }
        #expect(end?.code == .closed)
    }
}

/// The ``TransportError`` `body` threw, or nil.
private func transportError(_ body: () throws(TransportError) -> Void) -> TransportError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
