import BLEATT
import BLEGATT
import NukiProfile
import Testing

/// The Nuki layout of docs/wire.md §1.1 as a database (Bluetooth Core 5.4, Vol 3, Part G, §3).
@Suite struct NukiGATTProfileTests {
    static let pairingWire = hex("66 9A 0C 20 00 08 6C 91 E4 11 01 55 00 E1 2E A9")
    static let keyturnerWire = hex("66 9A 0C 20 00 08 6C 91 E4 11 01 55 00 E2 2E A9")

    @Test func uuidsAreTheNukiBase() {
        #expect(NukiUUIDs.pairingService.description == "A92EE100-5501-11E4-916C-0800200C9A66")
        #expect(NukiUUIDs.keyturnerUSDIO.description == "A92EE202-5501-11E4-916C-0800200C9A66")
        #expect(NukiUUIDs.ultraPairingGDIO.description == "A92EE301-5501-11E4-916C-0800200C9A66")
        #expect(NukiUUIDs.pairingService.wireBytes == Self.pairingWire)
        #expect(NukiUUIDs.keyturnerService.wireBytes == Self.keyturnerWire)
    }

    @Test func handlesTypesAndDeclarationsAsDocumented() {
        let profile = NukiGATTProfile(nukiID: exampleNukiID)
        let a = profile.database.attributes
        #expect(a.count == 27)
        #expect(a.map(\.handle) == Array(1...27))
        #expect(a.map(\.type.description) == [
            "2800", "2803", "A92EE101-5501-11E4-916C-0800200C9A66", "2902",
            "2800", "2803", "A92EE201-5501-11E4-916C-0800200C9A66", "2902",
            "2803", "A92EE202-5501-11E4-916C-0800200C9A66", "2902",
            "2800", "2803", "2A25", "2803", "2A26", "2803", "2A27",
            "2800", "2803", "2A00", "2803", "2A01",
            "2800", "2803", "2A05", "2902",
        ])
        // Part G §3.3.1: properties 0x28 (write | indicate), value handle LE, UUID LE.
        #expect(a[1].value == hex("28 0300 66 9A 0C 20 00 08 6C 91 E4 11 01 55 01 E1 2E A9"))
        #expect(a[8].value == hex("28 0A00 66 9A 0C 20 00 08 6C 91 E4 11 01 55 02 E2 2E A9"))
        #expect(a[12].value == hex("02 0E00 252A"))
        #expect(a[0].value == Self.pairingWire)
        #expect(a[11].value == hex("0A18"))
        #expect(a[13].value == Array("2A37599A".utf8))
        #expect(a[15].value == Array("2.0.0".utf8))
        #expect(a[17].value == Array("2.5".utf8))
        #expect(profile.pairingGDIO.valueHandle == 0x0003 && profile.pairingGDIO.clientConfigurationHandle == 0x0004)
        #expect(profile.keyturnerGDIO.valueHandle == 0x0007 && profile.keyturnerGDIO.clientConfigurationHandle == 0x0008)
        #expect(profile.keyturnerUSDIO.valueHandle == 0x000A && profile.keyturnerUSDIO.clientConfigurationHandle == 0x000B)
        #expect(profile.database.services.map(\.endGroupHandle) == [0x0004, 0x000B, 0x0012, 0x0017, 0x001B])
        // Data characteristics are written and indicated, never read.
        #expect(a[2].permissions == .write && a[9].permissions == .write)
        #expect(a[13].permissions == .read)
    }

    /// Generic Access (Vol 3 Part C §12) and Generic Attribute (Part G §7) after the Nuki services:
    /// Device Name = the advertised name, Appearance 0x0708 (Assigned Numbers §2.6: Access Control,
    /// Door Lock) little-endian, Service Changed indicate-only with its CCCD.
    @Test func genericAccessAndGenericAttributeFollowTheNukiServices() {
        let profile = NukiGATTProfile(nukiID: exampleNukiID)
        let a = profile.database.attributes
        #expect(a[18].value == hex("0018"))
        #expect(a[19].value == hex("02 1500 002A"))
        #expect(a[20].value == Array("Nuki_2A37599A".utf8) && a[20].permissions == .read)
        #expect(a[21].value == hex("02 1700 012A"))
        #expect(a[22].value == hex("08 07") && a[22].permissions == .read)
        #expect(a[23].value == hex("0118"))
        #expect(a[24].value == hex("20 1A00 052A"))
        #expect(a[25].permissions == [] && a[25].value == [])
        #expect(a[26].type == GATTAttributeType.clientCharacteristicConfiguration && a[26].permissions == [.read, .write])
        #expect(profile.serviceChanged.valueHandle == 0x001A && profile.serviceChanged.clientConfigurationHandle == 0x001B)
        #expect(profile.serviceChanged.properties == .indicate)
        // The Nuki value handles do not move; nor does the device information service.
        #expect([profile.pairingGDIO.valueHandle, profile.keyturnerGDIO.valueHandle, profile.keyturnerUSDIO.valueHandle] == [0x0003, 0x0007, 0x000A])
        #expect(profile.characteristic(atValueHandle: 0x001A) == nil)
        #expect(NukiGATTProfile(nukiID: 1, deviceName: "Front door").database.attributes[20].value == Array("Front door".utf8))
        #expect(NukiGATTProfile(nukiID: 1, deviceName: String(repeating: "x", count: 300)).database.attributes[20].value.count == 248)
    }

    @Test func ultraVariantUsesA92ee300() {
        let profile = NukiGATTProfile(nukiID: 1, variant: .ultra)
        #expect(profile.database.services[0].uuid == NukiUUIDs.ultraPairingService)
        #expect(profile.pairingGDIO.uuid == NukiUUIDs.ultraPairingGDIO)
        #expect(profile.keyturnerUSDIO.uuid == NukiUUIDs.keyturnerUSDIO)
        #expect(profile.database.attributes[13].value == Array("00000001".utf8))
    }

    /// A client tells the pairing variant from the characteristics its discovery found: the Ultra
    /// pairing GDIO a92ee301 or the standard a92ee101 (issue 18: the CLI chooses the flow by it).
    @Test func theVariantIsTheExposedPairingGDIO() {
        func found(_ variant: NukiGATTVariant) -> [GATTCharacteristic] {
            NukiGATTProfile(nukiID: exampleNukiID, variant: variant).database.services.flatMap(\.characteristics)
        }
        #expect(NukiGATTVariant(exposedBy: found(.ultra)) == .ultra)
        #expect(NukiGATTVariant(exposedBy: found(.smartLock)) == .smartLock)
        #expect(NukiGATTVariant(exposedBy: found(.ultra).filter { $0.uuid != NukiUUIDs.ultraPairingGDIO }) == nil)
        #expect(NukiGATTVariant(exposedBy: []) == nil)
    }
}
