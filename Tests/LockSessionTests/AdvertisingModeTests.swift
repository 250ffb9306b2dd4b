import LockCore
import LockSession
import Foundation
import LockWire
import NukiProfile
import Testing

/// What a lock advertises, from its state and its profile (`docs/wire.md` §1.3; issue 18, the
/// factory-new lock): initialization service data until the first pairing, pairing service data
/// while the button's pairing mode lasts (a92ee300 on an Ultra or a Go on 5.x), the iBeacon after.
@Suite struct AdvertisingModeTests {
    static let start = LockInstant(secondsSince1970: 1_800_000_000)

    /// Hex with spaces allowed; a malformed literal decodes to nothing (and fails the comparison).
    func hex(_ text: String) -> [UInt8] { Hex.decode(text.replacingOccurrences(of: " ", with: "")) ?? [] }

    static func machine(_ profile: LockProfile, firmware: FirmwareVersion? = nil, initialized: Bool) throws -> LockMachine {
        let model = try profile.model(firmware: firmware)
        return LockMachine(
            model: model, nukiID: 0x2A37_599A, settings: LockSettings(name: FixedName("Front door", width: 32)),
            securityPIN: model.wireContext.securityPINWidth == .u32 ? .u32(123_456) : .u16(1234), initialized: initialized)
    }

    @Test func aFactoryNewLockAdvertisesTheInitializationServiceUntilItsFirstPairing() throws {
        var machine = try Self.machine(.sl3, initialized: false)
        #expect(machine.nukiState == .uninitialized)
        #expect(machine.advertisingMode(at: Self.start, statusChanged: true) == .uninitialized)
        let ad = NukiAdvertisement(nukiID: machine.nukiID, mode: machine.advertisingMode(at: Self.start, statusChanged: false)).advertisingData
        #expect(ad == hex("020106 1521 669A0C2000086C91E411015500E02EA9 2A37599A"))
        _ = machine.pressButton(heldMilliseconds: 5_000, at: Self.start)
        #expect(machine.advertisingMode(at: Self.start, statusChanged: false) == .pairing(service: NukiUUIDs.pairingService))
        // Pairing mode runs out unpaired: back to the initialization service.
        let later = Self.start.adding(milliseconds: machine.pairingModeMilliseconds)
        #expect(machine.advertisingMode(at: later, statusChanged: false) == .uninitialized)
        _ = machine.pressButton(heldMilliseconds: 5_000, at: later)
        _ = try machine.addAuthorization(authID: 1, idType: .app, clientID: 7, name: FixedName("Phone", width: 32), at: later)
        #expect(machine.nukiState == .doorMode)
        #expect(machine.advertisingMode(at: later, statusChanged: false) == .paired(statusChanged: false))
        #expect(machine.advertisingMode(at: later, statusChanged: true) == .paired(statusChanged: true))
    }

    @Test func aLockSetUpBeforeAdvertisesTheBeaconEvenWithoutUsers() throws {
        let machine = try Self.machine(.sl3, initialized: true)
        #expect(machine.authorizations.isEmpty)
        #expect(machine.advertisingMode(at: Self.start, statusChanged: false) == .paired(statusChanged: false))
    }

    @Test(arguments: [(LockProfile.ultra, "5.0.0"), (.go, "5.0.0"), (.go, "4.2.0"), (.sl1, "1.9.0")])
    func pairingModeAdvertisesTheProfilesPairingService(profile: LockProfile, firmware: String) throws {
        var machine = try Self.machine(profile, firmware: LockProfile.parseFirmware(firmware), initialized: false)
        _ = machine.pressButton(heldMilliseconds: 5_000, at: Self.start)
        let ultra = profile == .ultra || firmware == "5.0.0"
        let expected = ultra ? hex("020106 1521 669A0C2000086C91E411015500E32EA9 2A37599A") : hex("020106 1521 669A0C2000086C91E411015500E12EA9 2A37599A")
        #expect(NukiAdvertisement(nukiID: machine.nukiID, mode: machine.advertisingMode(at: Self.start, statusChanged: false)).advertisingData == expected)
    }
}
