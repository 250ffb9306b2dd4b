import Foundation

/// Reads the ATT PDUs back out of a capture written by ``CaptureWriter`` (or by another tool in the
/// same formats): btsnoop version 1 with datalink 1002 (HCI UART H4), or pcap with linktype 201
/// (BLUETOOTH_HCI_H4_WITH_PHDR). Each record's H4 ACL packet (type 0x02, handle + flags, length)
/// and L2CAP basic header (length, CID) are checked; records that are not ACL data on the ATT
/// fixed channel (CID 0x0004) are skipped. The file is untrusted input: every length is checked,
/// malformed content throws ``TransportError``, nothing traps.
/// Sources: btsnoop format (RFC 1761 layout, BlueZ/Android); pcap linktype 201; Bluetooth Core
/// Vol 4 Part E §5.4.2 (ACL), Vol 3 Part A §3.1 (L2CAP basic frame).
public enum CaptureReader {
    /// One ATT PDU of the capture.
    public struct Record: Hashable, Sendable {
        public var direction: CaptureDirection
        public var connectionHandle: UInt16
        /// Microseconds since 1970 (as written).
        public var timestampMicroseconds: Int64
        public var pdu: [UInt8]
    }

    /// Largest capture read (64 MiB).
    public static let maximumFileBytes = 64 << 20

    public static func read(path: String) throws(TransportError) -> [Record] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TransportError(.system, "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(Array(data))
    }

    /// Parses a whole capture file.
    public static func parse(_ bytes: [UInt8]) throws(TransportError) -> [Record] {
        guard bytes.count <= maximumFileBytes else { throw TransportError(.invalidRecord, "capture larger than \(maximumFileBytes) bytes") }
        if bytes.starts(with: Array("btsnoop".utf8) + [0]) { return try parseBTSnoop(bytes) }
        if bytes.count >= 4 {
            let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            if magic == 0xA1B2_C3D4 || magic == 0xD4C3_B2A1 { return try parsePCAP(bytes, bigEndian: magic == 0xA1B2_C3D4) }
        }
        throw TransportError(.invalidRecord, "not a btsnoop or pcap file")
    }

    private static func parseBTSnoop(_ bytes: [UInt8]) throws(TransportError) -> [Record] {
        guard bytes.count >= 16 else { throw TransportError(.invalidRecord, "btsnoop header truncated") }
        let version = try u32be(bytes, 8)
        let datalink = try u32be(bytes, 12)
        guard version == 1, datalink == 1002 else {
            throw TransportError(.invalidRecord, "btsnoop version \(version) datalink \(datalink); expected 1 and 1002 (H4)")
        }
        var records: [Record] = []
        var offset = 16
        while offset < bytes.count {
            guard bytes.count - offset >= 24 else { throw TransportError(.invalidRecord, "btsnoop record header truncated at \(offset)") }
            let included = Int(try u32be(bytes, offset + 4))
            let flags = try u32be(bytes, offset + 8)
            let timestamp = Int64(bitPattern: UInt64(try u32be(bytes, offset + 16)) << 32 | UInt64(try u32be(bytes, offset + 20)))
            let start = offset + 24
            guard included <= bytes.count - start else { throw TransportError(.invalidRecord, "btsnoop record at \(offset) runs past the end") }
            let direction: CaptureDirection = flags & 0x01 == 0 ? .sent : .received
            if let record = try h4(Array(bytes[start..<(start + included)]), direction: direction,
                                   timestamp: timestamp &- CaptureWriter.btsnoopEpochOffset) {
                records.append(record)
            }
            offset = start + included
        }
        return records
    }

    private static func parsePCAP(_ bytes: [UInt8], bigEndian: Bool) throws(TransportError) -> [Record] {
        guard bytes.count >= 24 else { throw TransportError(.invalidRecord, "pcap header truncated") }
        let read = { (o: Int) throws(TransportError) -> UInt32 in bigEndian ? try u32be(bytes, o) : try u32le(bytes, o) }
        let linktype = try read(20)
        guard linktype == 201 else { throw TransportError(.invalidRecord, "pcap linktype \(linktype); expected 201") }
        var records: [Record] = []
        var offset = 24
        while offset < bytes.count {
            guard bytes.count - offset >= 16 else { throw TransportError(.invalidRecord, "pcap record header truncated at \(offset)") }
            let seconds = Int64(try read(offset))
            let micros = Int64(try read(offset + 4))
            let included = Int(try read(offset + 8))
            let start = offset + 16
            guard included <= bytes.count - start, included >= 4 else { throw TransportError(.invalidRecord, "pcap record at \(offset) malformed") }
            // 4-byte pseudo-header, big-endian direction: 0 sent, 1 received.
            let direction: CaptureDirection = try u32be(bytes, start) & 0x01 == 0 ? .sent : .received
            if let record = try h4(Array(bytes[(start + 4)..<(start + included)]), direction: direction, timestamp: seconds * 1_000_000 + micros) {
                records.append(record)
            }
            offset = start + included
        }
        return records
    }

    /// The ATT PDU of an H4 ACL packet on CID 4, or nil for any other packet.
    static func h4(_ packet: [UInt8], direction: CaptureDirection, timestamp: Int64) throws(TransportError) -> Record? {
        guard packet.first == 0x02 else { return nil }
        guard packet.count >= 9 else { throw TransportError(.invalidRecord, "ACL packet of \(packet.count) bytes is too short") }
        let handle = (UInt16(packet[1]) | UInt16(packet[2]) << 8) & 0x0FFF
        let aclLength = Int(packet[3]) | Int(packet[4]) << 8
        let l2capLength = Int(packet[5]) | Int(packet[6]) << 8
        let cid = UInt16(packet[7]) | UInt16(packet[8]) << 8
        guard aclLength == packet.count - 5, l2capLength == aclLength - 4 else {
            throw TransportError(.invalidRecord, "ACL/L2CAP lengths \(aclLength)/\(l2capLength) disagree with \(packet.count) bytes")
        }
        guard cid == 0x0004 else { return nil }
        return Record(direction: direction, connectionHandle: handle, timestampMicroseconds: timestamp, pdu: Array(packet[9...]))
    }

    private static func u32be(_ b: [UInt8], _ o: Int) throws(TransportError) -> UInt32 {
        guard o >= 0, o + 4 <= b.count else { throw TransportError(.invalidRecord, "capture truncated at \(o)") }
        return UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    private static func u32le(_ b: [UInt8], _ o: Int) throws(TransportError) -> UInt32 {
        guard o >= 0, o + 4 <= b.count else { throw TransportError(.invalidRecord, "capture truncated at \(o)") }
        return UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
}
