import BLETransport
import Foundation
import LockCrypto
import LockFuzzing
import LockWire

/// A capture turned into fuzzing seeds (`latchkey capture FILE --key HEX … --to-corpus DIR`, issue
/// 14 item 6). Reads btsnoop (ours, Android's HCI snoop log: datalink 1002 H4; btmon's `-w`:
/// datalink 2001, the BlueZ monitor format) or pcap (linktype 201), joins each connection's Nuki
/// messages the client wrote (Write Request or Command, Prepare Write joined at Execute Write), and
/// opens encrypted ones with the keys given. Direction comes from the ATT opcode (a client writes, a
/// server indicates), so a capture taken on either side reads the same.
///
/// Output, one seed per connection (`<stem>-<connection>`; connections with no client message give
/// none):
/// - `DIR/LockSession/<stem>-<connection>-<part>`: ``LockFuzzing/LockSessionHarness`` inputs (parts
///   of at most ``LockFuzzing/LockSessionHarness/maxOperations`` operations): each encrypted message
///   as op 1 (sealed command as the app, with a fetched challenge and the lock's PIN written in),
///   each plain message as op 2 (raw write to its characteristic), in order;
/// - `DIR/Commands/<stem>-<connection>.jsonl`: the client's plaintext commands for `latchkey fuzz
///   --target`, one JSON object per message (see ``CommandSeedLine``; `Corpus/README.md`).
public enum CaptureCorpus {
    /// One client message of a capture.
    public struct Message: Sendable, Hashable {
        /// The ACL connection (btmon: controller index << 16 | handle).
        public var connection: UInt32
        /// The characteristic value handle written (0x0003 pairing GDIO, 0x0007 keyturner GDIO,
        /// 0x000A USDIO in the Nuki layout).
        public var handle: UInt16
        /// The whole value written.
        public var value: [UInt8]
    }

    /// One line of a `Commands/*.jsonl` seed: a message the client sent, as plaintext.
    ///
    /// `{"channel":"encrypted","authID":1,"command":"000D","name":"LOCK_ACTION","payload":"02…"}`:
    /// `channel` is `plain` (a pairing GDIO or keyturner GDIO frame; `authID` absent) or
    /// `encrypted` (USDIO, opened with a key given); `command` is the command id as 4 hex digits
    /// (the u16's value, big-endian text), `name` the spec's name when documented, `payload` the
    /// payload in hex (no CRC). A payload that carried a challenge nonce carries the capture's old
    /// one: a live fuzzer fetches a fresh challenge and writes it in. Encrypted messages no key opens
    /// are left out (and counted).
    public struct CommandSeedLine: Sendable, Hashable, Codable {
        public var channel: String
        public var authID: UInt32?
        public var command: String
        public var name: String?
        public var payload: String

        public init(channel: String, authID: UInt32?, command: Command, payload: [UInt8]) {
            self.channel = channel
            self.authID = authID
            self.command = Hex.encode([UInt8(truncatingIfNeeded: command.rawValue >> 8), UInt8(truncatingIfNeeded: command.rawValue)])
            self.name = command.name
            self.payload = Hex.encode(payload)
        }
    }

    /// What ``write(_:keys:stem:to:)`` made.
    public struct Report: Sendable, Hashable {
        public var connections = 0
        public var messages = 0
        /// Encrypted messages no key opened.
        public var unopened = 0
        public var files: [String] = []
    }

    /// The Nuki value handles and their framing.
    static let plainHandles: Set<UInt16> = [0x0003, 0x0007]
    static let encryptedHandle: UInt16 = 0x000A

    /// The client's whole written values in a capture file's bytes, in order. Throws
    /// ``BLETransport/TransportError`` for a malformed capture.
    public static func messages(in bytes: [UInt8]) throws(TransportError) -> [Message] {
        var pdus: [(connection: UInt32, pdu: [UInt8])] = []
        if let monitor = try monitorRecords(bytes) {
            pdus = monitor
        } else {
            pdus = try CaptureReader.parse(bytes).map { (UInt32($0.connectionHandle), $0.pdu) }
        }
        var messages: [Message] = []
        var prepared: [UInt32: [(handle: UInt16, offset: Int, bytes: [UInt8])]] = [:]
        for (connection, pdu) in pdus {
            guard let opcode = pdu.first else { continue }
            switch opcode {
            case 0x12, 0x52:  // Write Request, Write Command: handle, value
                guard pdu.count >= 3 else { continue }
                messages.append(Message(connection: connection, handle: UInt16(pdu[1]) | UInt16(pdu[2]) << 8, value: Array(pdu[3...])))
            case 0x16:  // Prepare Write Request: handle, offset, part
                guard pdu.count >= 5 else { continue }
                prepared[connection, default: []].append((UInt16(pdu[1]) | UInt16(pdu[2]) << 8, Int(pdu[3]) | Int(pdu[4]) << 8, Array(pdu[5...])))
            case 0x18:  // Execute Write Request: flags 1 writes, 0 cancels
                let parts = prepared.removeValue(forKey: connection) ?? []
                guard pdu.count >= 2, pdu[1] == 0x01, let handle = parts.first?.handle else { continue }
                var value: [UInt8] = []
                for part in parts where part.handle == handle {
                    guard part.offset <= value.count, part.offset <= WireLimits.maxPayloadBytes * 2 else { break }
                    value = Array(value[..<part.offset]) + part.bytes
                }
                messages.append(Message(connection: connection, handle: handle, value: value))
            default:
                continue
            }
        }
        return messages
    }

    /// ATT PDUs of a btsnoop file in the BlueZ monitor format (datalink 2001, `btmon -w`): records
    /// with opcode 4 (ACL TX) or 5 (ACL RX) whose L2CAP frame is whole and on CID 4; nil when the
    /// file is not in that format. Source: BlueZ `src/shared/btsnoop.h` (BTSNOOP_FORMAT_MONITOR,
    /// BTSNOOP_OPCODE_ACL_TX_PKT/RX_PKT; the record's flags are index << 16 | opcode).
    static func monitorRecords(_ bytes: [UInt8]) throws(TransportError) -> [(connection: UInt32, pdu: [UInt8])]? {
        guard bytes.count >= 16, bytes.starts(with: Array("btsnoop".utf8) + [0]), u32be(bytes, 12) == 2001 else { return nil }
        var out: [(UInt32, [UInt8])] = []
        var offset = 16
        while offset < bytes.count {
            guard bytes.count - offset >= 24 else { throw TransportError(.invalidRecord, "btsnoop record header truncated at \(offset)") }
            let included = Int(u32be(bytes, offset + 4))
            let flags = u32be(bytes, offset + 8)
            let start = offset + 24
            guard included <= bytes.count - start else { throw TransportError(.invalidRecord, "btsnoop record at \(offset) runs past the end") }
            let packet = Array(bytes[start..<(start + included)])
            offset = start + included
            let opcode = flags & 0xFFFF
            guard opcode == 4 || opcode == 5, packet.count >= 8 else { continue }
            let handle = UInt32(UInt16(packet[0]) | UInt16(packet[1]) << 8) & 0x0FFF
            let aclLength = Int(packet[2]) | Int(packet[3]) << 8
            let l2capLength = Int(packet[4]) | Int(packet[5]) << 8
            let cid = UInt16(packet[6]) | UInt16(packet[7]) << 8
            // A fragmented L2CAP frame (continuation packets) is skipped, not joined.
            guard aclLength == packet.count - 4, l2capLength == aclLength - 4, cid == 0x0004 else { continue }
            out.append(((flags >> 16) << 16 | handle, Array(packet[8...])))
        }
        return out
    }

    private static func u32be(_ b: [UInt8], _ o: Int) -> UInt32 {
        guard o >= 0, o + 4 <= b.count else { return 0 }
        return UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    /// The seeds of `messages` (see the type's documentation), as file name (relative to the
    /// corpus folder) → content.
    public static func seeds(_ messages: [Message], keys: [SharedKey], stem: String) -> (files: [(name: String, bytes: [UInt8])], report: Report) {
        var report = Report()
        var files: [(String, [UInt8])] = []
        let connections = messages.reduce(into: [UInt32]()) { if !$0.contains($1.connection) { $0.append($1.connection) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for connection in connections {
            var lines: [String] = []
            var scripts: [SessionSeeds.SessionScript] = [SessionSeeds.SessionScript()]
            var operations = 0
            func nextOperation() {
                if operations == LockSessionHarness.maxOperations {
                    scripts.append(SessionSeeds.SessionScript())
                    operations = 0
                }
                operations += 1
            }
            for message in messages where message.connection == connection {
                var line: CommandSeedLine?
                if plainHandles.contains(message.handle) {
                    if let frame = try? PlainFrame.decode(message.value) {
                        line = CommandSeedLine(channel: "plain", authID: nil, command: frame.command, payload: frame.payload)
                    }
                    nextOperation()
                    scripts[scripts.count - 1].raw(message.handle == 0x0003 ? 0 : 1, message.value)
                } else if message.handle == encryptedHandle {
                    let opened = keys.lazy.compactMap { key in try? EncryptedMessageCodec.open(message.value) { _ in key } }.first
                    guard let opened else {
                        report.unopened += 1
                        continue
                    }
                    line = CommandSeedLine(channel: "encrypted", authID: opened.authID, command: opened.command, payload: opened.payload)
                    nextOperation()
                    scripts[scripts.count - 1].sealed(.app, opened.command, opened.payload)
                }
                guard let line, let data = try? encoder.encode(line) else { continue }
                lines.append(String(decoding: data, as: UTF8.self))
                report.messages += 1
            }
            guard !lines.isEmpty else { continue }
            report.connections += 1
            let name = "\(stem)-\(String(connection, radix: 16))"
            files.append(("Commands/\(name).jsonl", Array((lines.joined(separator: "\n") + "\n").utf8)))
            for (part, script) in scripts.enumerated() where !script.bytes.isEmpty {
                files.append(("LockSession/\(name)-\(part + 1)", script.bytes))
            }
        }
        report.files = files.map(\.0)
        return (files, report)
    }

    /// Reads the capture at `path` and writes its seeds under `folder` (created with `Commands/`
    /// and `LockSession/`). Throws ``BLETransport/TransportError`` for an unreadable or malformed
    /// capture, Foundation's error when a file cannot be written.
    public static func write(_ path: String, keys: [SharedKey], to folder: String) throws -> Report {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw TransportError(.system, "cannot read \(path): \(error.localizedDescription)")
        }
        guard bytes.count <= CaptureReader.maximumFileBytes else { throw TransportError(.invalidRecord, "capture larger than \(CaptureReader.maximumFileBytes) bytes") }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let (files, report) = seeds(try messages(in: bytes), keys: keys, stem: stem)
        for sub in ["Commands", "LockSession"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        for (name, content) in files {
            try Data(content).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        return report
    }
}
