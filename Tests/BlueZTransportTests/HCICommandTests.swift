import BlueZTransport
import Testing

/// Exact bytes of the LE Controller commands (Core 5.4, Vol 4, Part E, §5.4.1, §7.8).
@Suite struct HCICommandTests {
    @Test func opcodeIsOGFShiftedTenOrOCF() throws {
        let reset = try HCICommand(ogf: 0x03, ocf: 0x0003, parameters: [])
        #expect(reset.opcode == 0x0C03)
        #expect(reset.packet == hex("01 03 0C 00"))
        #expect(try HCICommand(ogf: 0x3F, ocf: 0x3FF, parameters: []).opcode == 0xFFFF)
        #expect(bluetoothError { () throws(BluetoothError) in try HCICommand(ogf: 0x40, ocf: 0, parameters: []) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try HCICommand(ogf: 0x08, ocf: 0x400, parameters: []) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try HCICommand(ogf: 0x08, ocf: 1, parameters: [UInt8](repeating: 0, count: 256)) }?.code == .invalidArgument)
    }

    /// §7.8.5: interval min/max LE, type, own address type, peer type, peer address, channel map, policy.
    @Test func leSetAdvertisingParameters() throws {
        let command = HCICommand.setAdvertisingParameters(try AdvertisingParameters())
        #expect(command.opcode == 0x2006)
        #expect(command.packet == hex("01 06 20 0F  A0 00  A0 00  00  00  00  00 00 00 00 00 00  07  00"))
        let custom = try AdvertisingParameters(intervalMin: 0x0020, intervalMax: 0x4000, type: .nonConnectableUndirected, ownAddressType: .random, channelMap: 0x01, filterPolicy: 0x03)
        #expect(HCICommand.setAdvertisingParameters(custom).parameters == hex("20 00  00 40  03  01  00  00 00 00 00 00 00  01  03"))
    }

    @Test func advertisingParametersAreChecked() {
        #expect(bluetoothError { () throws(BluetoothError) in try AdvertisingParameters(intervalMin: 0x001F, intervalMax: 0x00A0) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try AdvertisingParameters(intervalMin: 0x00A0, intervalMax: 0x4001) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try AdvertisingParameters(intervalMin: 0x0100, intervalMax: 0x00A0) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try AdvertisingParameters(channelMap: 0x00) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try AdvertisingParameters(channelMap: 0x08) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try AdvertisingParameters(filterPolicy: 0x04) }?.code == .invalidArgument)
    }

    /// §7.8.7: length octet, then the data zero padded to 31 octets (32 parameter octets).
    @Test func leSetAdvertisingData() throws {
        let command = try HCICommand.setAdvertisingData(hex("02 01 06"))
        #expect(command.opcode == 0x2008)
        #expect(command.packet == hex("01 08 20 20 03 02 01 06") + [UInt8](repeating: 0, count: 28))
        let full = [UInt8](repeating: 0xAB, count: 31)
        #expect(try HCICommand.setAdvertisingData(full).parameters == [31] + full)
        #expect(try HCICommand.setAdvertisingData([]).parameters == [UInt8](repeating: 0, count: 32))
    }

    /// §7.8.8: same layout as the advertising data, OCF 0x0009.
    @Test func leSetScanResponseData() throws {
        let name = hex("0E 09") + Array("Nuki_2A37599A".utf8)
        let command = try HCICommand.setScanResponseData(name)
        #expect(command.opcode == 0x2009)
        #expect(command.packet == hex("01 09 20 20 0F") + name + [UInt8](repeating: 0, count: 16))
    }

    @Test func dataLongerThan31OctetsIsRefused() {
        let long = [UInt8](repeating: 1, count: 32)
        let error = bluetoothError { () throws(BluetoothError) in try HCICommand.setAdvertisingData(long) }
        #expect(error?.code == .dataTooLong)
        #expect(error?.reason.contains("31") == true)
        #expect(bluetoothError { () throws(BluetoothError) in try HCICommand.setScanResponseData(long) }?.code == .dataTooLong)
    }

    /// §7.8.9, §7.8.11: one and two octets.
    @Test func leEnableCommands() {
        #expect(HCICommand.setAdvertisingEnable(true).packet == hex("01 0A 20 01 01"))
        #expect(HCICommand.setAdvertisingEnable(false).packet == hex("01 0A 20 01 00"))
        #expect(HCICommand.setScanEnable(true, filterDuplicates: false).packet == hex("01 0C 20 02 01 00"))
        #expect(HCICommand.setScanEnable(true, filterDuplicates: true).packet == hex("01 0C 20 02 01 01"))
        #expect(HCICommand.setScanEnable(false, filterDuplicates: false).packet == hex("01 0C 20 02 00 00"))
    }

    /// §7.8.10: type, interval LE, window LE, own address type, filter policy.
    @Test func leSetScanParameters() throws {
        #expect(HCICommand.setScanParameters(try ScanParameters()).packet == hex("01 0B 20 07 01 10 00 10 00 00 00"))
        let passive = try ScanParameters(active: false, interval: 0x0100, window: 0x0050, ownAddressType: .random, filterPolicy: 0x01)
        #expect(HCICommand.setScanParameters(passive).parameters == hex("00 00 01 50 00 01 01"))
        #expect(bluetoothError { () throws(BluetoothError) in try ScanParameters(interval: 0x0003, window: 0x0003) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try ScanParameters(interval: 0x0010, window: 0x0011) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try ScanParameters(interval: 0x4001, window: 0x0010) }?.code == .invalidArgument)
        #expect(bluetoothError { () throws(BluetoothError) in try ScanParameters(filterPolicy: 4) }?.code == .invalidArgument)
    }

    @Test func leMetaEventFilter() {
        let filter = HCIEventFilter.leMetaEvents
        #expect(filter.packetTypeMask == 0x0000_0010)
        #expect(filter.eventMask.low == 0 && filter.eventMask.high == 0x4000_0000)
        #expect(filter.opcode == 0)
    }
}
