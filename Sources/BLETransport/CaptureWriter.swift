#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Writes ATT PDUs to a btsnoop or pcap file that Wireshark and tshark dissect down to ATT: each
/// PDU is wrapped in a synthetic HCI ACL data packet in H4 framing plus an L2CAP basic header on
/// the ATT fixed channel:
/// ```
/// H4:     02                                        packet type: ACL data
/// ACL:    handle | PB << 12 | BC << 14  u16 LE      Core 5.4 Vol 4 Part E §5.4.2
///         data total length             u16 LE      = 4 + PDU length
/// L2CAP:  length                        u16 LE      = PDU length (Vol 3 Part A §3.1)
///         channel id 0x0004             u16 LE      ATT fixed channel (Vol 3 Part A §2.1)
/// ATT:    PDU
/// ```
/// btsnoop: header `"btsnoop\0" | version u32 BE = 1 | datalink u32 BE = 1002`; each record
/// `original length u32 BE | included length u32 BE | flags u32 BE (bit 0: 1 received) | drops u32 BE = 0
/// | timestamp i64 BE, µs since 0000-01-01 | H4 packet`.
///
/// pcap: global header (magic 0xA1B2C3D4 LE, 2.4, snaplen 65535, linktype 201); each record
/// `ts sec u32 LE | ts µs u32 LE | incl len u32 LE | orig len u32 LE | direction u32 BE | H4 packet`.
///
/// Thread-safe; records are appended in call order. Timestamps come from the injected `clock`
/// (µs since the Unix epoch), by default the wall clock.
public final class CaptureWriter: Sendable {
    private let fd: Mutex<Int32>
    /// The file format.
    public let format: CaptureFormat
    /// The file path.
    public let path: String
    private let clock: @Sendable () -> Int64

    /// µs between 0000-01-01 and 1970-01-01, the btsnoop epoch offset.
    public static let btsnoopEpochOffset: Int64 = 0x00E0_3AB4_4A67_6000

    /// Creates (truncates) `path` and writes the file header.
    public init(path: String, format: CaptureFormat? = nil, clock: (@Sendable () -> Int64)? = nil) throws(TransportError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw UnixSocket.failure("open \(path)") }
        self.fd = Mutex(fd)
        self.path = path
        let format = format ?? CaptureFormat(path: path)
        self.format = format
        self.clock = clock ?? { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
        let header: [UInt8]
        switch format {
        case .btsnoop:
            header = Array("btsnoop".utf8) + [0] + Self.be32(1) + Self.be32(1002)
        case .pcap:
            header = Self.le32(0xA1B2_C3D4) + [2, 0, 4, 0] + Self.le32(0) + Self.le32(0) + Self.le32(65535) + Self.le32(201)
        }
        try append(header)
    }

    deinit {
        fd.withLock { if $0 >= 0 { _ = Glibc.close($0) } }
    }

    /// The writer named by `$LATCHKEY_CAPTURE` (format by extension), or `nil` when unset or the
    /// file cannot be created.
    public static func fromEnvironment(_ environment: [String: String]) -> CaptureWriter? {
        guard let path = environment["LATCHKEY_CAPTURE"], !path.isEmpty else { return nil }
        return try? CaptureWriter(path: path)
    }

    /// Why the file `$LATCHKEY_CAPTURE` names cannot be written, or nil when it can or the variable
    /// is unset or empty; checked without creating or changing anything: an existing path must be a
    /// regular file this user may write, a new one needs a folder this user may write and enter.
    /// The reason names the variable, the path and what is wrong (`strerror` of the failed check).
    public static func environmentProblem(_ environment: [String: String]) -> String? {
        guard let path = environment["LATCHKEY_CAPTURE"], !path.isEmpty else { return nil }
        var info = stat()
        let where_ = "LATCHKEY_CAPTURE=\(path)"
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else { return "\(where_) is not a regular file: name a capture file to write (btsnoop, or pcap by .pcap)" }
            guard access(path, W_OK) == 0 else { return "\(where_) cannot be written: \(String(cString: strerror(errno)))" }
            return nil
        }
        guard errno == ENOENT else { return "\(where_) cannot be written: \(String(cString: strerror(errno)))" }
        let folder = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let parent = folder.isEmpty ? "/" : folder
        guard stat(parent, &info) == 0 else { return "\(where_) cannot be created: \(parent): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "\(where_) cannot be created: \(parent) is not a folder" }
        guard access(parent, W_OK | X_OK) == 0 else { return "\(where_) cannot be created in \(parent): \(String(cString: strerror(errno)))" }
        return nil
    }

    /// The H4 ACL + L2CAP framing of `pdu` (layout above); handle masked to 12 bits.
    public static func h4Packet(_ pdu: [UInt8], direction: CaptureDirection, connectionHandle: UInt16) -> [UInt8] {
        let pb: UInt16 = direction == .sent ? 0b00 : 0b10
        let handleField = connectionHandle & 0x0FFF | pb << 12
        let l2capLength = UInt16(truncatingIfNeeded: pdu.count)
        let aclLength = UInt16(truncatingIfNeeded: pdu.count + 4)
        return [0x02] + le16(handleField) + le16(aclLength) + le16(l2capLength) + le16(0x0004) + pdu
    }

    /// Appends one record for `pdu`. A write failure is returned, never thrown into the link.
    @discardableResult
    public func record(_ pdu: [UInt8], direction: CaptureDirection, connectionHandle: UInt16 = 0x0040) -> TransportError? {
        let packet = Self.h4Packet(pdu, direction: direction, connectionHandle: connectionHandle)
        let micros = clock()
        let length = UInt32(truncatingIfNeeded: packet.count)
        let bytes: [UInt8]
        switch format {
        case .btsnoop:
            let flags: UInt32 = direction == .sent ? 0 : 1
            bytes = Self.be32(length) + Self.be32(length) + Self.be32(flags) + Self.be32(0) + Self.be64(micros + Self.btsnoopEpochOffset) + packet
        case .pcap:
            let seconds = UInt32(truncatingIfNeeded: micros / 1_000_000)
            let fraction = UInt32(truncatingIfNeeded: micros % 1_000_000)
            let framed = Self.be32(direction == .sent ? 0 : 1) + packet
            let total = UInt32(truncatingIfNeeded: framed.count)
            bytes = Self.le32(seconds) + Self.le32(fraction) + Self.le32(total) + Self.le32(total) + framed
        }
        do {
            try append(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Closes the file. Idempotent.
    public func close() {
        fd.withLock {
            if $0 >= 0 { _ = Glibc.close($0) }
            $0 = -1
        }
    }

    private func append(_ bytes: [UInt8]) throws(TransportError) {
        let ok = fd.withLock { fd -> Bool in
            guard fd >= 0 else { return false }
            return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
        }
        guard ok else { throw TransportError(.system, "capture write to \(path) failed", errno: errno) }
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func be64(_ v: Int64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
