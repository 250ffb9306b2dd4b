import ArgumentParser
import BLEATT
import BLETransport
import Foundation
import LockCrypto
import LockWire
import NukiProfile

/// `latchkey capture FILE`: prints a capture's ATT PDUs and the Nuki messages they carry.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Print a btsnoop or pcap capture's ATT PDUs and the Nuki messages in them, decoded.",
        discussion: """
            Writes on the Nuki value handles (pairing GDIO 0x0003, keyturner GDIO 0x0007, USDIO 0x000A) \
            and indications from them are joined (long writes by offset, chunked indications by frame \
            layout) and decoded as Nuki frames; encrypted ones need the session's shared key (--key, \
            repeatable, or --key-file with one key per line). Exit 1 when a Nuki frame is rejected (an encrypted \
            frame with no key given is only reported).
            """)

    @Argument(help: "The capture (btsnoop or pcap, as written by LATCHKEY_CAPTURE or `latchkey demo`).")
    var file: String

    @Option(help: "A shared key (32 bytes hex) to open encrypted messages; repeat for several sessions.")
    var key: [String] = []

    @Option(help: ArgumentHelp("Shared keys, one per line (hex).", valueName: "file"))
    var keyFile: String?

    @Flag(help: "Print only the Nuki messages, not every ATT PDU.")
    var nukiOnly = false

    @Option(help: ArgumentHelp(
        "Write the client's messages as fuzzing seeds into this folder instead of printing: LockSession/ (lockSession target inputs) and Commands/ (plaintext command sequences for fuzz --target, JSON Lines). Also reads btmon's btsnoop (monitor format).",
        valueName: "dir"))
    var toCorpus: String?

    /// The Nuki characteristic at a value handle of the Nuki GATT layout (``NukiGATTProfile``: the
    /// handles do not depend on the Nuki ID or the variant), its trace name and its frame layout.
    static func nukiCharacteristic(_ handle: UInt16) -> (name: String, framing: FragmentReassembler.Framing)? {
        guard let which = NukiGATTProfile(nukiID: 0).characteristic(atValueHandle: handle) else { return nil }
        return (which.traceName, which.isEncrypted ? .encrypted : .plain)
    }

    func run() throws {
        var decoder = FrameDecoder()
        var keyTexts = key
        if let keyFile {
            let text = (try? String(contentsOfFile: keyFile, encoding: .utf8)) ?? ""
            keyTexts += text.split(separator: "\n").map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
        }
        decoder.keys = try keyTexts.map { try SharedKey(rawBytes: try DecodeCommand.parseKey($0)) }
        if let toCorpus { return try writeCorpus(to: toCorpus, keys: decoder.keys) }
        let records: [CaptureReader.Record]
        do {
            records = try CaptureReader.read(path: file)
        } catch {
            Diagnostics.print("\(error)")
            throw ExitCode.failure
        }
        var prepared: [UInt64: [(offset: Int, bytes: [UInt8])]] = [:]
        var indications: [UInt64: FragmentReassembler] = [:]
        var rejected = 0
        var messages = 0
        var lines: [String] = []
        var sides = CaptureSides()
        for (index, record) in records.enumerated() {
            let pdu: ATTPDU
            do {
                pdu = try ATTPDU.decode(record.pdu)
            } catch {
                let who = sides.sender(of: nil, direction: record.direction, connection: record.connectionHandle)
                lines.append("#\(index + 1) conn 0x\(String(record.connectionHandle, radix: 16)) \(who) ATT malformed: \(Hex.encode(record.pdu))")
                continue
            }
            let who = sides.sender(of: pdu.opcode.kind, direction: record.direction, connection: record.connectionHandle)
            let prefix = "#\(index + 1) conn 0x\(String(record.connectionHandle, radix: 16)) \(who)"
            if !nukiOnly { lines.append("\(prefix) ATT \(pdu.opcode)") }
            var frames: [(String, [UInt8])] = []
            var unjoined: [(String, String)] = []
            let key = UInt64(record.connectionHandle) << 16
            switch pdu {
            case .writeRequest(let handle, let value), .writeCommand(let handle, let value):
                if let nuki = Self.nukiCharacteristic(handle) { frames.append((nuki.name, value)) }
            case .prepareWriteRequest(let write):
                prepared[key | UInt64(write.handle), default: []].append((Int(write.offset), write.value))
            case .executeWriteRequest(let flags):
                for (slot, parts) in prepared where slot >> 16 == UInt64(record.connectionHandle) {
                    prepared[slot] = nil
                    // Cancel (flags 0x00): the queued parts are dropped, nothing reaches the lock.
                    guard flags == .write else { continue }
                    let handle = UInt16(truncatingIfNeeded: slot)
                    guard let nuki = Self.nukiCharacteristic(handle) else { continue }
                    var reassembler = FragmentReassembler(framing: nuki.framing)
                    do throws(WireError) {
                        for part in parts { try reassembler.write(part.bytes, offset: part.offset) }
                        frames.append((nuki.name, try reassembler.assemble()))
                    } catch {
                        unjoined.append((nuki.name, "the long write does not join: \(error.reason)"))
                    }
                }
            case .handleValueIndication(let handle, let value), .handleValueNotification(let handle, let value):
                guard let nuki = Self.nukiCharacteristic(handle) else { break }
                let slot = key | UInt64(handle)
                var reassembler = indications[slot] ?? FragmentReassembler(framing: nuki.framing)
                do throws(WireError) {
                    frames += try reassembler.append(value).map { (nuki.name, $0) }
                    indications[slot] = reassembler
                } catch {
                    indications[slot] = nil
                    unjoined.append((nuki.name, "the indications do not join: \(error.reason)"))
                }
            default:
                break
            }
            for (characteristic, reason) in unjoined {
                // A message that cannot even be put together is rejected like a malformed frame.
                messages += 1
                rejected += 1
                lines.append((nukiOnly ? "" : "    ") + FrameDecoder.Result.escapingControlCharacters("#\(messages) \(who) on \(characteristic) rejected: \(reason)"))
            }
            for (characteristic, frame) in frames {
                messages += 1
                var result = decoder.decode(frame, index: messages)
                result.sender = "\(who) on \(characteristic)"
                // Encrypted frames without any key are unread, not rejected.
                if result.error != nil, !(decoder.keys.isEmpty && result.channel == "encrypted") { rejected += 1 }
                lines.append((nukiOnly ? "" : "    ") + result.text)
            }
        }
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            Diagnostics.print("cannot write results: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        Diagnostics.print("\(records.count) ATT PDUs, \(messages) Nuki messages, \(rejected) rejected")
        if rejected > 0 { throw ExitCode.failure }
    }
}

/// Which side of a link each PDU of a capture came from. ATT says it by the opcode (Bluetooth Core
/// 5.4, Vol 3, Part F, §3.3): requests, commands and confirmations go from the client (the keypad,
/// fob or phone) to the server (the lock); responses, notifications and indications the other
/// way. So a capture reads the same whether the lock took it or the peripheral did (the record's
/// sent/received flag flips with the side). A PDU too malformed to have a known opcode takes its
/// side from its flag and the side the capture was taken on, learnt per connection from the first
/// PDU with a known opcode (the lock's side until then).
struct CaptureSides {
    /// Per connection handle: true when the capture was taken on the client's side.
    private var clientSide: [UInt16: Bool] = [:]

    /// "client → lock" or "lock → client" for a PDU of `kind` (nil: not decodable) recorded with
    /// `direction` on `connection`.
    mutating func sender(of kind: ATTOpcodeKind?, direction: CaptureDirection, connection: UInt16) -> String {
        if let kind {
            let fromClient = [ATTOpcodeKind.request, .command, .confirmation].contains(kind)
            if clientSide[connection] == nil { clientSide[connection] = fromClient == (direction == .sent) }
            return fromClient ? "client → lock" : "lock → client"
        }
        let sentByCapturer = direction == .sent
        let fromClient = clientSide[connection] == true ? sentByCapturer : !sentByCapturer
        return fromClient ? "client → lock" : "lock → client"
    }
}
