import BLEATT
import BLEGATT

/// The Nuki Smart Lock's GATT layout (docs/wire.md §1.1) as a ready-made ``GATTDatabase``, with
/// its three data characteristics at hand.
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
/// ```
/// The serial number's form follows simnuki ("Nuki ID as a hex string", docs/wire.md §1.1, UNSURE
/// on real hardware); upper case matches the advertised name `Nuki_2A37599A` (§1.3).
public struct NukiGATTProfile: Hashable, Sendable {
    /// The attribute database.
    public let database: GATTDatabase
    /// The pairing GDIO (`a92ee101`, Ultra `a92ee301`).
    public let pairingGDIO: GATTCharacteristic
    /// The keyturner GDIO (`a92ee201`).
    public let keyturnerGDIO: GATTCharacteristic
    /// The keyturner USDIO (`a92ee202`).
    public let keyturnerUSDIO: GATTCharacteristic

    /// The layout for `nukiID`, with the given Device Information strings (defaults as simnuki:
    /// firmware "2.0.0", hardware "2.5").
    public init(nukiID: UInt32, variant: NukiGATTVariant = .smartLock, firmwareRevision: String = "2.0.0", hardwareRevision: String = "2.5") {
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
        ]
        // 18 attributes: far below 0xFFFF, so layout cannot fail; the fallback keeps the API total.
        let database = (try? GATTDatabase(definitions)) ?? GATTDatabase()
        self.database = database
        let none = GATTCharacteristic(uuid: pairingGDIOUUID, properties: [], declarationHandle: 0, valueHandle: 0, endHandle: 0)
        pairingGDIO = database.characteristic(pairingGDIOUUID) ?? none
        keyturnerGDIO = database.characteristic(NukiUUIDs.keyturnerGDIO) ?? none
        keyturnerUSDIO = database.characteristic(NukiUUIDs.keyturnerUSDIO) ?? none
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
