/// One HCI command (Bluetooth Core 5.4, Vol 4, Part E, §5.4.1):
/// ```
/// opcode u16 LE (= OGF << 10 | OCF) | parameter total length u8 | parameters
/// ```
/// On a raw HCI socket (and in an H4 stream) it is preceded by the packet type 0x01.
///
/// The factories build the LE Controller commands (OGF 0x08, §7.8) that advertising and scanning
/// need; their parameters are checked by ``AdvertisingParameters`` and ``ScanParameters``.
public struct HCICommand: Hashable, Sendable, CustomStringConvertible {
    /// OGF 0x08, LE Controller commands (§7.8).
    public static let leControllerOGF: UInt8 = 0x08
    /// The most octets an HCI legacy advertising or scan response PDU carries (§7.8.7, §7.8.8).
    public static let maximumAdvertisingDataLength = 31

    /// Opcode Group Field, 6 bits.
    public let ogf: UInt8
    /// Opcode Command Field, 10 bits.
    public let ocf: UInt16
    /// The parameters, at most 255 octets.
    public let parameters: [UInt8]
    /// A name for messages, e.g. `LE Set Advertising Data`.
    public let name: String

    /// A command; ``BluetoothError/Code/invalidArgument`` when OGF exceeds 6 bits, OCF 10 bits,
    /// or the parameters 255 octets.
    public init(ogf: UInt8, ocf: UInt16, parameters: [UInt8], name: String = "HCI command") throws(BluetoothError) {
        guard ogf <= 0x3F, ocf <= 0x3FF, parameters.count <= 255 else {
            throw BluetoothError(.invalidArgument, "\(name): OGF 0x\(String(ogf, radix: 16)) / OCF 0x\(String(ocf, radix: 16)) / \(parameters.count) parameter octets out of range")
        }
        self.init(checkedOGF: ogf, ocf: ocf, parameters: parameters, name: name)
    }

    private init(checkedOGF ogf: UInt8, ocf: UInt16, parameters: [UInt8], name: String) {
        self.ogf = ogf
        self.ocf = ocf
        self.parameters = parameters
        self.name = name
    }

    /// `OGF << 10 | OCF`.
    public var opcode: UInt16 { UInt16(ogf & 0x3F) << 10 | (ocf & 0x3FF) }

    /// The command as sent on a raw HCI socket: `01 | opcode LE | length | parameters`.
    public var packet: [UInt8] {
        [0x01, UInt8(truncatingIfNeeded: opcode), UInt8(truncatingIfNeeded: opcode >> 8),
         UInt8(truncatingIfNeeded: parameters.count)] + parameters
    }

    /// `<name> (0xHHHH)`.
    public var description: String { "\(name) (opcode 0x\(String(opcode, radix: 16, uppercase: true)))" }

    /// OGF 0x04, Informational Parameters (§7.4).
    public static let informationalOGF: UInt8 = 0x04

    /// HCI_Read_BD_ADDR, OGF 0x04 OCF 0x0009 (§7.4.6): no parameters; returns
    /// `Status u8 | BD_ADDR[6]` (least significant octet first). The controller's public address.
    public static let readBDAddress = HCICommand(checkedOGF: informationalOGF, ocf: 0x0009, parameters: [], name: "Read BD_ADDR")

    // MARK: LE Controller commands

    /// HCI_LE_Set_Advertising_Parameters, OCF 0x0006 (§7.8.5): 15 parameter octets.
    public static func setAdvertisingParameters(_ parameters: AdvertisingParameters) -> HCICommand {
        HCICommand(checkedOGF: leControllerOGF, ocf: 0x0006, parameters: parameters.encoded, name: "LE Set Advertising Parameters")
    }

    /// HCI_LE_Set_Advertising_Data, OCF 0x0008 (§7.8.7): `Advertising_Data_Length u8 |
    /// Advertising_Data[31]`, zero padded. ``BluetoothError/Code/dataTooLong`` beyond 31 octets.
    public static func setAdvertisingData(_ data: [UInt8]) throws(BluetoothError) -> HCICommand {
        try HCICommand(checkedOGF: leControllerOGF, ocf: 0x0008, parameters: paddedData(data, "advertising data"), name: "LE Set Advertising Data")
    }

    /// HCI_LE_Set_Scan_Response_Data, OCF 0x0009 (§7.8.8): `Scan_Response_Data_Length u8 |
    /// Scan_Response_Data[31]`, zero padded. ``BluetoothError/Code/dataTooLong`` beyond 31 octets.
    public static func setScanResponseData(_ data: [UInt8]) throws(BluetoothError) -> HCICommand {
        try HCICommand(checkedOGF: leControllerOGF, ocf: 0x0009, parameters: paddedData(data, "scan response data"), name: "LE Set Scan Response Data")
    }

    /// HCI_LE_Set_Advertising_Enable, OCF 0x000A (§7.8.9): `Advertising_Enable u8`.
    public static func setAdvertisingEnable(_ enable: Bool) -> HCICommand {
        HCICommand(checkedOGF: leControllerOGF, ocf: 0x000A, parameters: [enable ? 0x01 : 0x00], name: "LE Set Advertising Enable")
    }

    /// HCI_LE_Set_Scan_Parameters, OCF 0x000B (§7.8.10): 7 parameter octets.
    public static func setScanParameters(_ parameters: ScanParameters) -> HCICommand {
        HCICommand(checkedOGF: leControllerOGF, ocf: 0x000B, parameters: parameters.encoded, name: "LE Set Scan Parameters")
    }

    /// HCI_LE_Set_Scan_Enable, OCF 0x000C (§7.8.11): `LE_Scan_Enable u8 | Filter_Duplicates u8`.
    public static func setScanEnable(_ enable: Bool, filterDuplicates: Bool) -> HCICommand {
        HCICommand(checkedOGF: leControllerOGF, ocf: 0x000C, parameters: [enable ? 0x01 : 0x00, filterDuplicates ? 0x01 : 0x00], name: "LE Set Scan Enable")
    }

    private static func paddedData(_ data: [UInt8], _ what: String) throws(BluetoothError) -> [UInt8] {
        guard data.count <= maximumAdvertisingDataLength else {
            throw BluetoothError(.dataTooLong, "\(data.count) octets of \(what); a legacy advertising PDU carries at most \(maximumAdvertisingDataLength)")
        }
        return [UInt8(truncatingIfNeeded: data.count)] + data + [UInt8](repeating: 0, count: maximumAdvertisingDataLength - data.count)
    }
}
