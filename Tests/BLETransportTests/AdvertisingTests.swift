import BLEATT
import BLETransport
import NukiProfile
import Testing

/// The advertising bytes of docs/wire.md §1.3, exactly, and their parse.
@Suite struct AdvertisingTests {
    let nukiID: UInt32 = 0x2A37_599A

    @Test func pairingModeIsFlagsThenServiceData() throws {
        let ad = NukiAdvertisement(nukiID: nukiID, mode: .pairing(service: NukiUUIDs.pairingService)).advertisingData
        #expect(ad == hex("020106 1521 669A0C2000086C91E411015500E12EA9 2A37599A"))
        #expect(ad.count <= 31)
        let parsed = try NukiAdvertisement(advertisingData: ad)
        #expect(parsed.nukiID == nukiID && parsed.mode == .pairing(service: NukiUUIDs.pairingService))
    }

    /// A factory-new lock (Nuki state uninitialized): service data for the initialization service
    /// `a92ee000-…` and the Nuki ID (docs/wire.md §1.3, simnuki's advertiser). A peripheral that
    /// wants to pair does not take it (its button was not held); one that does not, does.
    @Test func uninitializedIsFlagsThenInitializationServiceData() throws {
        let ad = NukiAdvertisement(nukiID: nukiID, mode: .uninitialized).advertisingData
        #expect(ad == hex("020106 1521 669A0C2000086C91E411015500E02EA9 2A37599A"))
        let parsed = try NukiAdvertisement(advertisingData: ad, scanResponse: hex("0E09") + Array("Nuki_2A37599A".utf8))
        #expect(parsed == NukiAdvertisement(nukiID: nukiID, mode: .uninitialized, localName: "Nuki_2A37599A"))
        #expect(!parsed.suits(pairing: true) && parsed.suits(pairing: false))
        // The initialization service data and a pairing one for the same lock disagree.
        let both = hex("020106 1521 669A0C2000086C91E411015500E02EA9 2A37599A")
        let pairing = hex("1521 669A0C2000086C91E411015500E12EA9 2A37599A")
        #expect(advertisingError { () throws(AdvertisingDataError) in try NukiAdvertisement(advertisingData: both, scanResponse: pairing) }?.reason
            == "two Nuki structures disagree: Nuki_2A37599A and Nuki_2A37599A")
        // Service data of the initialization service with 3 octets of Nuki ID is no Nuki structure.
        #expect(advertisingError { () throws(AdvertisingDataError) in
            try NukiAdvertisement(advertisingData: hex("020106 1421 669A0C2000086C91E411015500E02EA9 2A3759"))
        }?.reason == "neither Nuki initialization or pairing service data nor the Nuki iBeacon")
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
        #expect(NukiAdvertisement(nukiID: 1, mode: .pairing(service: NukiUUIDs.ultraPairingService)).advertisingData.count == 25)
    }

    @Test func malformedADIsATypedError() {
        // A structure claiming more octets than remain.
        #expect(advertisingError { () throws(AdvertisingDataError) in try ADStructure.parse(hex("020106 1521 66")) }?.reason == "AD structure at 3 claims 21 octets, 2 remain")
        // Zero padding is fine; junk after the terminator is not.
        #expect((try? ADStructure.parse(hex("020106 0000"))) == [ADStructure(type: 1, data: [6])])
        #expect(advertisingError { () throws(AdvertisingDataError) in try ADStructure.parse(hex("020106 00 01")) }?.reason == "non-zero octets after the zero-length terminator at 3")
        // Well-formed AD that is not a Nuki's.
        #expect(advertisingError { () throws(AdvertisingDataError) in try NukiAdvertisement(advertisingData: hex("020106 03FF4C00")) }?.reason == "neither Nuki initialization or pairing service data nor the Nuki iBeacon")
        // An iBeacon with another proximity UUID (HomeKit-like).
        #expect(advertisingError { () throws(AdvertisingDataError) in
            try NukiAdvertisement(advertisingData: hex("020106 1AFF4C000215 000000000000000000000000000000002A37599AC4"))
        }?.reason == "neither Nuki initialization or pairing service data nor the Nuki iBeacon")
        #expect(DeviceAddress(string: "C0:2A:37:59:9A:01")?.description == "C0:2A:37:59:9A:01")
        #expect(DeviceAddress(string: "C0:2A:37:59:9A") == nil && DeviceAddress(string: "C0:2A:37:59:9A:0G") == nil)
    }

    /// The identity rules (issue 14 item 5, advertising): a lock whose advertising does not carry one
    /// consistent Nuki identity is refused, with the exact reason.
    @Test func inconsistentIdentityIsRefused() throws {
        let pairing = NukiAdvertisement(nukiID: nukiID, mode: .pairing(service: NukiUUIDs.pairingService))
        let other = NukiAdvertisement(nukiID: 0xDEAD_BEEF, mode: .pairing(service: NukiUUIDs.pairingService))
        // The name names another Nuki ID.
        let renamed = advertisingError { () throws(AdvertisingDataError) in
            try NukiAdvertisement(advertisingData: pairing.advertisingData, scanResponse: other.scanResponse)
        }
        #expect(renamed?.reason == "the local name names Nuki ID Nuki_DEADBEEF, the advertising data Nuki_2A37599A")
        // The iBeacon of another lock under this lock's name.
        #expect(advertisingError { () throws(AdvertisingDataError) in
            try NukiAdvertisement(
                advertisingData: NukiAdvertisement(nukiID: 0xDEAD_BEEF, mode: .paired(statusChanged: false)).advertisingData,
                scanResponse: pairing.scanResponse)
        }?.reason == "the local name names Nuki ID Nuki_2A37599A, the advertising data Nuki_DEADBEEF")
        // A second Nuki structure in the scan response for another lock.
        let conflicting = advertisingError { () throws(AdvertisingDataError) in
            try NukiAdvertisement(advertisingData: pairing.advertisingData, scanResponse: Array(other.advertisingData.dropFirst(3)))
        }
        #expect(conflicting?.reason == "two Nuki structures disagree: Nuki_2A37599A and Nuki_DEADBEEF")
        // The same structure twice is one identity.
        let twice = try NukiAdvertisement(advertisingData: pairing.advertisingData, scanResponse: Array(pairing.advertisingData.dropFirst(3)))
        #expect(twice.nukiID == nukiID && twice.localName == nil)
        // More than 31 octets.
        let long = advertisingError { () throws(AdvertisingDataError) in
            try NukiAdvertisement(advertisingData: pairing.advertisingData, scanResponse: [33, 0x09] + Array(repeating: 0x41, count: 32))
        }
        #expect(long?.reason == "25 octets of advertising data and 34 of scan response; at most 31 each")
        // A labelled name (`Nuki_2A37599A WEAK`), a name that is not Nuki_…, a name that is not UTF-8: accepted.
        for name in [Array("Nuki_2A37599A WEAK".utf8), Array("Front door".utf8), Array("Nuki_".utf8) + [0xFF, 0xFE]] {
            let parsed = try NukiAdvertisement(advertisingData: pairing.advertisingData, scanResponse: [UInt8(name.count + 1), 0x09] + name)
            #expect(parsed.nukiID == nukiID)
        }
        #expect(NukiAdvertisement.nukiID(inName: Array("Nuki_2a37599a".utf8)) == nukiID)
        #expect(NukiAdvertisement.nukiID(inName: Array("Nuki_2A37599AX".utf8)) == nil)
        #expect(NukiAdvertisement.nukiID(inName: Array("Nuki_2A37599".utf8)) == nil)
    }
}

/// The error `body` throws, or nil when it returns.
func advertisingError<T>(_ body: () throws(AdvertisingDataError) -> T) -> AdvertisingDataError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
