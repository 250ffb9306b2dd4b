import BLEATT
import BLETransport
import Testing

/// The advertising bytes of docs/wire.md §1.3, exactly, and their parse.
@Suite struct AdvertisingTests {
    let nukiID: UInt32 = 0x2A37_599A

    @Test func pairingModeIsFlagsThenServiceData() throws {
        let ad = NukiAdvertisement(nukiID: nukiID, mode: .pairing(service: NukiAdvertisement.pairingService)).advertisingData
        #expect(ad == hex("020106 1521 669A0C2000086C91E411015500E12EA9 2A37599A"))
        #expect(ad.count <= 31)
        let parsed = try NukiAdvertisement(advertisingData: ad)
        #expect(parsed.nukiID == nukiID && parsed.mode == .pairing(service: NukiAdvertisement.pairingService))
    }

    @Test func pairedIsAnIBeaconWithTheStatusBit() throws {
        let quiet = NukiAdvertisement(nukiID: nukiID, mode: .paired(statusChanged: false)).advertisingData
        #expect(quiet == hex("020106 1AFF4C000215 A92EE200550111E4916C0800200C9A66 2A37 599A C4"))
        #expect(quiet.count == 30)
        let changed = NukiAdvertisement(nukiID: nukiID, mode: .paired(statusChanged: true)).advertisingData
        #expect(changed.last == 0xC5)
        #expect(try NukiAdvertisement(advertisingData: changed).mode == .paired(statusChanged: true))
        #expect(try NukiAdvertisement(advertisingData: quiet).nukiID == nukiID)
    }

    @Test func scanResponseIsTheCompleteLocalName() throws {
        let advert = NukiAdvertisement(nukiID: nukiID, mode: .paired(statusChanged: false))
        #expect(advert.scanResponse == hex("0E09") + Array("Nuki_2A37599A".utf8))
        #expect(NukiAdvertisement.name(0x0000_00AB) == "Nuki_000000AB")
        let parsed = try NukiAdvertisement(advertisingData: advert.advertisingData, scanResponse: advert.scanResponse)
        #expect(parsed.localName == "Nuki_2A37599A")
        #expect(NukiAdvertisement(nukiID: 1, mode: .pairing(service: NukiAdvertisement.ultraPairingService)).advertisingData.count == 25)
    }

    @Test func malformedADIsATypedError() {
        // A structure claiming more octets than remain.
        #expect(transportError { () throws(TransportError) in try ADStructure.parse(hex("020106 1521 66")) }?.code == .invalidAdvertisingData)
        // Zero padding is fine; junk after the terminator is not.
        #expect((try? ADStructure.parse(hex("020106 0000"))) == [ADStructure(type: 1, data: [6])])
        #expect(transportError { () throws(TransportError) in try ADStructure.parse(hex("020106 00 01")) }?.code == .invalidAdvertisingData)
        // Well-formed AD that is not a Nuki's.
        #expect(transportError { () throws(TransportError) in try NukiAdvertisement(advertisingData: hex("020106 03FF4C00")) }?.code == .invalidAdvertisingData)
        // An iBeacon with another proximity UUID (HomeKit-like).
        #expect(transportError { () throws(TransportError) in
            try NukiAdvertisement(advertisingData: hex("020106 1AFF4C000215 000000000000000000000000000000002A37599AC4"))
        }?.code == .invalidAdvertisingData)
        #expect(DeviceAddress(string: "C0:2A:37:59:9A:01")?.description == "C0:2A:37:59:9A:01")
        #expect(DeviceAddress(string: "C0:2A:37:59:9A") == nil && DeviceAddress(string: "C0:2A:37:59:9A:0G") == nil)
    }
}
