import BLEATT
import BLEGATT

/// The Nuki Smart Lock's GATT layout (docs/wire.md §1.1) as a ready-made ``GATTDatabase``, with
/// its three data characteristics at hand, and the Generic Access and Generic Attribute services
/// every GATT server exposes (Bluetooth Core 5.4 Vol 3 Part C §12, Part G §7).
///
/// Handles (every data characteristic: properties write 0x08 + indicate 0x20 = 0x28, value not
/// readable, up to 512 octets so long writes fit, a CCCD):
/// ```
/// 0x0001 «Primary Service» a92ee100 (Ultra a92ee300)   pairing service
/// 0x0002 «Characteristic»  28 0300 a92ee101 (Ultra a92ee301)
/// 0x0003   pairing GDIO value
/// 0x0004   CCCD
/// 0x0005 «Primary Service» a92ee200                     keyturner service
/// 0x0006 «Characteristic»  28 0700 a92ee201
/// 0x0007   keyturner GDIO value
/// 0x0008   CCCD
/// 0x0009 «Characteristic»  28 0A00 a92ee202
/// 0x000A   USDIO value
/// 0x000B   CCCD
/// 0x000C «Primary Service» 180A                         device information
/// 0x000D «Characteristic»  02 0E00 2A25   0x000E serial number = Nuki ID, 8 upper-case hex digits
/// 0x000F «Characteristic»  02 1000 2A26   0x0010 firmware revision (ASCII)
/// 0x0011 «Characteristic»  02 1200 2A27   0x0012 hardware revision (ASCII)
/// 0x0013 «Primary Service» 1800                         generic access
/// 0x0014 «Characteristic»  02 1500 2A00   0x0015 device name, e.g. "Nuki_2A37599A" (UTF-8)
/// 0x0016 «Characteristic»  02 1700 2A01   0x0017 appearance 0x0708, sent 08 07
/// 0x0018 «Primary Service» 1801                         generic attribute
/// 0x0019 «Characteristic»  20 1A00 2A05
/// 0x001A   service changed value (indicate only: not readable, not writable)
/// 0x001B   CCCD
/// ```
/// The serial number's form follows simnuki ("Nuki ID as a hex string", docs/wire.md §1.1, UNSURE
/// on real hardware); upper case matches the advertised name `Nuki_2A37599A` (§1.3).
///
/// Generic Access and Generic Attribute come **after** the Nuki services: real stacks usually put
/// them first, but no public record gives a real lock's handles, and Latchkey's clients, traces
/// and the BlueZ VM lane pin the Nuki value handles 0x0003, 0x0007 and 0x000A (every client
/// discovers, so the order is invisible to a conforming one). The Device Name is the lock's BLE
/// name, the scan response's Complete Local Name `Nuki_` + Nuki ID (simnuki sets bleno's device
/// name so; the Config name, e.g. "Front door", is not the GAP name). The Appearance is Bluetooth
/// Assigned Numbers §2.6 category 0x01C Access Control, subcategory 0x08 Door Lock: 0x01C << 6 |
/// 0x08 = 0x0708 (there is no "Generic Lock"; a real Nuki's value is not public). Service Changed
/// exists because a lock's table can change over its life (a Smart Lock Go moving from 4.x to 5.x
/// firmware swaps a92ee100 for a92ee300) but is never indicated: the table is fixed for the life
/// of a `lock serve` process, and Nuki clients do not bond, so each connection discovers afresh
/// (Vol 3 Part G §2.5.2) and nobody holds a cache to invalidate.
public struct NukiGATTProfile: Hashable, Sendable {
    /// The attribute database.
    public let database: GATTDatabase
    /// The pairing GDIO (`a92ee101`, Ultra `a92ee301`).
    public let pairingGDIO: GATTCharacteristic
    /// The keyturner GDIO (`a92ee201`).
    public let keyturnerGDIO: GATTCharacteristic
    /// The keyturner USDIO (`a92ee202`).
    public let keyturnerUSDIO: GATTCharacteristic
    /// Service Changed (0x2A05) of the Generic Attribute service: value 0x001A, CCCD 0x001B.
    public let serviceChanged: GATTCharacteristic

    /// The Appearance value (0x2A01): Access Control (category 0x01C), Door Lock (subcategory
    /// 0x08), Bluetooth Assigned Numbers §2.6.
    public static let appearance: UInt16 = 0x0708

    /// The layout for `nukiID`, with the given Device Information strings (defaults as simnuki:
    /// firmware "2.0.0", hardware "2.5") and Device Name (nil: `Nuki_` + the Nuki ID's 8 upper-case
    /// hex digits, as advertised; at most 248 octets are kept, Vol 3 Part C §12.1).
    public init(
        nukiID: UInt32, variant: NukiGATTVariant = .smartLock, firmwareRevision: String = "2.0.0", hardwareRevision: String = "2.5",
        deviceName: String? = nil
    ) {
        let pairingService = variant == .ultra ? NukiUUIDs.ultraPairingService : NukiUUIDs.pairingService
        let pairingGDIOUUID = Characteristic.pairingGDIO.uuid(in: variant)
        let data: GATTCharacteristicProperties = [.write, .indicate]
        func text(_ s: String) -> [UInt8] { Array(s.utf8.prefix(ATTLimits.maximumAttributeValue)) }
        let serial = String(nukiID, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 8 - serial.count)) + serial
        let definitions = [
            GATTServiceDefinition(uuid: pairingService, characteristics: [
                GATTCharacteristicDefinition(uuid: pairingGDIOUUID, properties: data),
            ]),
            GATTServiceDefinition(uuid: NukiUUIDs.keyturnerService, characteristics: [
                GATTCharacteristicDefinition(uuid: Characteristic.keyturnerGDIO.uuid(), properties: data),
                GATTCharacteristicDefinition(uuid: Characteristic.keyturnerUSDIO.uuid(), properties: data),
            ]),
            GATTServiceDefinition(uuid: NukiUUIDs.deviceInformationService, characteristics: [
                GATTCharacteristicDefinition(uuid: NukiUUIDs.serialNumber, properties: .read, value: text(padded)),
                GATTCharacteristicDefinition(uuid: NukiUUIDs.firmwareRevision, properties: .read, value: text(firmwareRevision)),
                GATTCharacteristicDefinition(uuid: NukiUUIDs.hardwareRevision, properties: .read, value: text(hardwareRevision)),
            ]),
            GATTServiceDefinition(uuid: NukiUUIDs.genericAccessService, characteristics: [
                GATTCharacteristicDefinition(
                    uuid: NukiUUIDs.deviceName, properties: .read, value: Array((deviceName ?? NukiAdvertisement.name(nukiID)).utf8.prefix(248))),
                GATTCharacteristicDefinition(
                    uuid: NukiUUIDs.appearance, properties: .read,
                    value: [UInt8(truncatingIfNeeded: Self.appearance), UInt8(truncatingIfNeeded: Self.appearance >> 8)]),
            ]),
            GATTServiceDefinition(uuid: NukiUUIDs.genericAttributeService, characteristics: [
                GATTCharacteristicDefinition(uuid: NukiUUIDs.serviceChanged, properties: .indicate, maximumLength: 4),
            ]),
        ]
        // 27 attributes: far below 0xFFFF, so layout cannot fail; the fallback keeps the API total.
        let database = (try? GATTDatabase(definitions)) ?? GATTDatabase()
        self.database = database
        let none = GATTCharacteristic(uuid: pairingGDIOUUID, properties: [], declarationHandle: 0, valueHandle: 0, endHandle: 0)
        pairingGDIO = database.characteristic(pairingGDIOUUID) ?? none
        keyturnerGDIO = database.characteristic(NukiUUIDs.keyturnerGDIO) ?? none
        keyturnerUSDIO = database.characteristic(NukiUUIDs.keyturnerUSDIO) ?? none
        serviceChanged = database.characteristic(NukiUUIDs.serviceChanged) ?? none
    }

    /// The GATT characteristic that carries `which` in this table.
    public func characteristic(_ which: Characteristic) -> GATTCharacteristic {
        switch which {
        case .pairingGDIO: pairingGDIO
        case .keyturnerGDIO: keyturnerGDIO
        case .keyturnerUSDIO: keyturnerUSDIO
        }
    }

    /// Which Nuki characteristic has its value at `valueHandle` (0x0003, 0x0007 or 0x000A), or nil for
    /// any other attribute.
    public func characteristic(atValueHandle valueHandle: UInt16) -> Characteristic? {
        Characteristic.allCases.first { characteristic($0).valueHandle == valueHandle }
    }
}
