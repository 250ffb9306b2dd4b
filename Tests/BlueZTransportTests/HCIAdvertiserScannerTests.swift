import BLETransport
import BlueZTransport
import NukiProfile
import Testing

/// The command sequences HCIAdvertiser and HCIScanner send, on the fake seam.
@Suite struct HCIAdvertiserScannerTests {
    let nuki = NukiAdvertisement(nukiID: 0x2A37_599A, mode: .pairing(service: NukiUUIDs.pairingService))

    @Test func advertiseSendsDisableParametersDataResponseEnable() throws {
        let fake = FakeBluetoothSystem()
        let advertiser = try HCIAdvertiser(system: fake)
        try advertiser.advertise(nuki, parameters: try AdvertisingParameters())
        let packets = fake.snapshot.commands.map(\.packet)
        #expect(packets.count == 5)
        #expect(packets[0] == hex("01 0A 20 01 00"))
        #expect(packets[1] == hex("01 06 20 0F A0 00 A0 00 00 00 00 00 00 00 00 00 00 07 00"))
        #expect(packets[2] == hex("01 08 20 20 19") + nuki.advertisingData + [UInt8](repeating: 0, count: 6))
        #expect(packets[3] == hex("01 09 20 20 0F") + nuki.scanResponse + [UInt8](repeating: 0, count: 16))
        #expect(packets[4] == hex("01 0A 20 01 01"))

        try advertiser.update(NukiAdvertisement(nukiID: 0x2A37_599A, mode: .paired(statusChanged: true)))
        #expect(fake.snapshot.commands.map(\.opcode).suffix(2) == [0x2008, 0x2009])
        advertiser.close()
        advertiser.close()
        #expect(fake.snapshot.commands.last?.packet == hex("01 0A 20 01 00"))
        #expect(fake.snapshot.closed == [101])
    }

    /// HCI_Read_BD_ADDR (Core Vol 4 Part E §7.4.6): `01 09 10 00`; the address travels least
    /// significant octet first after the status.
    @Test func adapterAddressReadsBDAddrAndReversesIt() throws {
        let fake = FakeBluetoothSystem()
        fake.update { $0.commandReplies = [[0x00, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01], [0x00, 0x01], [0x0C, 1, 2, 3, 4, 5, 6]] }
        let scanner = try HCIScanner(system: fake)
        #expect(try scanner.adapterAddress() == address("01:02:03:04:05:06"))
        #expect(fake.snapshot.commands.last?.packet == hex("01 09 10 00"))
        #expect(bluetoothError { () throws(BluetoothError) in try scanner.adapterAddress() }?.code == .malformedEvent)
        let refused = bluetoothError { () throws(BluetoothError) in try scanner.adapterAddress() }
        #expect(refused?.code == .controllerRejected)
        #expect(refused?.hciStatus == 0x0C)
    }

    @Test func disallowedInitialDisableIsIgnoredOtherRefusalsAreNot() throws {
        let fake = FakeBluetoothSystem()
        fake.update { $0.commandReplies = [[0x0C], [0x00], [0x00], [0x00], [0x00]] }
        let advertiser = try HCIAdvertiser(system: fake)
        try advertiser.advertise(nuki, parameters: try AdvertisingParameters())
        fake.update { $0.commandReplies = [[0x12]] }
        let error = bluetoothError { () throws(BluetoothError) in try advertiser.setParameters(try AdvertisingParameters()) }
        #expect(error?.code == .controllerRejected)
        #expect(error?.hciStatus == 0x12)
        fake.update { $0.commandReplies = [[]] }
        #expect(bluetoothError { () throws(BluetoothError) in try advertiser.stop() }?.code == .malformedEvent)
    }

    @Test func overlongDataIsRefusedBeforeTheController() throws {
        let fake = FakeBluetoothSystem()
        let advertiser = try HCIAdvertiser(system: fake)
        #expect(bluetoothError { () throws(BluetoothError) in try advertiser.setAdvertisingData([UInt8](repeating: 0, count: 32)) }?.code == .dataTooLong)
        #expect(bluetoothError { () throws(BluetoothError) in try advertiser.setScanResponseData([UInt8](repeating: 0, count: 40)) }?.code == .dataTooLong)
        #expect(fake.snapshot.commands.isEmpty)
    }

    @Test func scannerStartsFiltersAndParsesReports() throws {
        let fake = FakeBluetoothSystem()
        let scanner = try HCIScanner(system: fake)
        try scanner.start(try ScanParameters(), filterDuplicates: true)
        #expect(fake.snapshot.commands.map(\.packet) == [
            hex("01 0C 20 02 00 00"), hex("01 0B 20 07 01 10 00 10 00 00 00"), hex("01 0C 20 02 01 01"),
        ])
        #expect(fake.snapshot.filters == [.leMetaEvents])

        let lock = try address("C4:5B:BE:2A:37:59")
        let adv = AdvertisingReport(eventType: .connectableUndirected, addressTypeValue: 0, address: lock, data: nuki.advertisingData, rssi: -61)
        fake.update { $0.events = [hex("04 0E 04 01 0C 20 00"), adv.encodedPacket] }
        #expect(try scanner.nextReports(timeout: .seconds(1)) == [adv])
        #expect(try scanner.nextReports(timeout: .zero) == [])
        fake.update { $0.events = [hex("04 3E 02 02 00")] }
        #expect(bluetoothError { () throws(BluetoothError) in try scanner.nextReports(timeout: .seconds(1)) }?.code == .malformedEvent)

        let rsp = AdvertisingReport(eventType: .scanResponse, addressTypeValue: 0, address: lock, data: nuki.scanResponse, rssi: -62)
        fake.update { $0.events = [adv.encodedPacket, hex("04 3E 03 02 01 00"), rsp.encodedPacket] }
        // Ends as soon as the three events are in (the 60 s bound is never reached), so the outcome
        // does not depend on how fast the machine is.
        let result = try scanner.scan(for: .seconds(60)) { $0.malformedEvents == 1 && !($0.devices.first?.scanResponse.isEmpty ?? true) }
        #expect(result.malformedEvents == 1)
        #expect(result.devices.count == 1)
        #expect(result.devices.first?.nukiAdvertisement?.nukiID == 0x2A37_599A)
        #expect(result.devices.first?.nukiAdvertisement?.localName == "Nuki_2A37599A")

        try scanner.stop()
        #expect(fake.snapshot.commands.last?.packet == hex("01 0C 20 02 00 00"))
        scanner.close()
        #expect(bluetoothError { () throws(BluetoothError) in try scanner.nextReports(timeout: .zero) }?.code == .closed)
    }
}
