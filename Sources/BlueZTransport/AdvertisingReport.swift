import BLETransport

/// One report of an HCI_LE_Advertising_Report event (Bluetooth Core 5.4, Vol 4, Part E,
/// §7.7.65.2): an advertising PDU or scan response one device sent.
///
/// The event, as read from a raw HCI socket (packet type first):
/// ```
/// 04 | 3E (LE Meta) | parameter length u8 | 02 (subevent) | Num_Reports u8 (1…25) |
/// per report: Event_Type u8 | Address_Type u8 | Address 6 octets (LE) | Data_Length u8 (0…31) |
///             Data | RSSI i8 (−127…+20 dBm, 127 = not available)
/// ```
/// Reports follow each other whole (the layout controllers send and BlueZ reads).
/// ``parse(packet:)`` checks every length and count and throws
/// ``BluetoothError/Code/malformedEvent`` rather than ever reading out of bounds.
public struct AdvertisingReport: Hashable, Sendable {
    /// Event_Type values (§7.7.65.2).
    public enum EventType: UInt8, Hashable, Sendable {
        /// ADV_IND: connectable undirected advertising.
        case connectableUndirected = 0x00
        /// ADV_DIRECT_IND: connectable directed.
        case connectableDirected = 0x01
        /// ADV_SCAN_IND: scannable undirected.
        case scannableUndirected = 0x02
        /// ADV_NONCONN_IND: non-connectable undirected.
        case nonConnectableUndirected = 0x03
        /// SCAN_RSP: a scan response.
        case scanResponse = 0x04
    }

    /// LE Meta event code, 0x3E (§7.7.65).
    public static let leMetaEventCode: UInt8 = 0x3E
    /// LE Advertising Report subevent code, 0x02 (§7.7.65.2).
    public static let subeventCode: UInt8 = 0x02
    /// The most reports one event carries, 0x19.
    public static let maximumReports = 25
    /// Event_Type, Address_Type, Address, Data_Length, RSSI: the fixed octets of one report.
    static let fixedOctetsPerReport = 10

    /// What kind of PDU this reports.
    public var eventType: EventType
    /// Address_Type as sent: 0x00 public, 0x01 random, 0x02/0x03 their identity forms.
    public var addressTypeValue: UInt8
    /// The advertiser's address (text order).
    public var address: DeviceAddress
    /// The advertising data or scan response data (AD structures), at most 31 octets.
    public var data: [UInt8]
    /// RSSI in dBm; `nil` when the controller sent 127 (not available).
    public var rssi: Int8?

    /// A report from its fields.
    public init(eventType: EventType, addressTypeValue: UInt8, address: DeviceAddress, data: [UInt8], rssi: Int8?) {
        self.eventType = eventType
        self.addressTypeValue = addressTypeValue
        self.address = address
        self.data = data
        self.rssi = rssi
    }

    /// ``addressTypeValue`` as public or random; `nil` for values beyond 0x03.
    public var addressType: LEAddressType? { LEAddressType(hciValue: addressTypeValue) }

    /// Whether the event is an LE Advertising Report at all: HCI Event packet, LE Meta event,
    /// subevent 0x02. Other packets are not errors, just not reports; skip them.
    public static func isAdvertisingReport(_ packet: [UInt8]) -> Bool {
        packet.count >= 4 && packet[0] == 0x04 && packet[1] == leMetaEventCode && packet[3] == subeventCode
    }

    /// The reports of one HCI event packet from a raw HCI socket. Throws
    /// ``BluetoothError/Code/malformedEvent`` when the packet is not an LE Advertising Report,
    /// its parameter length disagrees with the packet, Num_Reports is 0 or above 25, a report's
    /// Data_Length exceeds 31 or overruns the packet, an Event_Type is unknown, or octets trail.
    public static func parse(packet: [UInt8]) throws(BluetoothError) -> [AdvertisingReport] {
        guard isAdvertisingReport(packet) else {
            throw malformed("not an LE Advertising Report event (\(packet.count) octets)")
        }
        guard Int(packet[2]) == packet.count - 3 else {
            throw malformed("parameter length \(packet[2]) but \(packet.count - 3) octets follow the header")
        }
        return try parse(parameters: packet[3...])
    }

    /// The reports of LE Meta event parameters starting at the subevent code.
    public static func parse(parameters: ArraySlice<UInt8>) throws(BluetoothError) -> [AdvertisingReport] {
        var input = parameters
        guard let subevent = input.popFirst(), subevent == subeventCode else {
            throw malformed("not the LE Advertising Report subevent")
        }
        guard let countOctet = input.popFirst() else { throw malformed("no Num_Reports") }
        let count = Int(countOctet)
        guard count >= 1, count <= maximumReports else {
            throw malformed("Num_Reports \(count); must be 1…\(maximumReports)")
        }
        var reports: [AdvertisingReport] = []
        reports.reserveCapacity(count)
        for index in 0..<count {
            guard input.count >= fixedOctetsPerReport else {
                throw malformed("report \(index) of \(count): \(input.count) octets left, a report needs at least \(fixedOctetsPerReport)")
            }
            let start = input.startIndex
            let rawType = input[start]
            guard let eventType = EventType(rawValue: rawType) else {
                throw malformed("report \(index): unknown Event_Type 0x\(String(rawType, radix: 16))")
            }
            let addressType = input[start + 1]
            let addressOctets = Array(input[(start + 2)..<(start + 8)].reversed())
            guard let address = DeviceAddress(octets: addressOctets) else {
                throw malformed("report \(index): address of \(addressOctets.count) octets")
            }
            let length = Int(input[start + 8])
            guard length <= HCICommand.maximumAdvertisingDataLength else {
                throw malformed("report \(index): Data_Length \(length) > \(HCICommand.maximumAdvertisingDataLength)")
            }
            guard input.count >= fixedOctetsPerReport + length else {
                throw malformed("report \(index): Data_Length \(length) overruns the event (\(input.count - fixedOctetsPerReport) octets left)")
            }
            let dataStart = start + 9
            let data = Array(input[dataStart..<(dataStart + length)])
            let rssiOctet = input[dataStart + length]
            input = input[(dataStart + length + 1)...]
            reports.append(AdvertisingReport(
                eventType: eventType, addressTypeValue: addressType, address: address, data: data,
                rssi: rssiOctet == 0x7F ? nil : Int8(bitPattern: rssiOctet)))
        }
        guard input.isEmpty else { throw malformed("\(input.count) octets after \(count) reports") }
        return reports
    }

    /// This report as one-report event parameters (subevent first), for tests and replays.
    public var encodedParameters: [UInt8] {
        [Self.subeventCode, 0x01, eventType.rawValue, addressTypeValue] + Array(address.octets.reversed())
            + [UInt8(truncatingIfNeeded: data.count)] + data + [rssi.map { UInt8(bitPattern: $0) } ?? 0x7F]
    }

    /// This report as a whole HCI event packet: `04 3E <length>` + ``encodedParameters``.
    public var encodedPacket: [UInt8] {
        let parameters = encodedParameters
        return [0x04, Self.leMetaEventCode, UInt8(truncatingIfNeeded: parameters.count)] + parameters
    }

    private static func malformed(_ reason: String) -> BluetoothError {
        BluetoothError(.malformedEvent, "LE Advertising Report: \(reason)")
    }
}
