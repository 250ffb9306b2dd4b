import BLETransport
import ClientFuzzing
import Foundation
import LatchkeyTestSupport
import LockCrypto
import LockFuzzing
import LockWire
import Testing

/// Capture → corpus (issue 14 item 6): the Set A conversation written with Latchkey's own capture
/// writer (pairing on the pairing GDIO, one message as Prepare Write + Execute Write, then the
/// encrypted requests on USDIO with the lock's indications between them) becomes exactly the
/// expected seeds; btmon's monitor format reads the same. (The BlueZ VM lane turns its real btmon
/// capture into a corpus on every run and checks the phone's messages are in it: Tests/BlueZVM.)
@Suite struct CaptureCorpusTests {
    func setACapture(format: String) throws -> (path: String, key: SharedKey, vectors: SetAVectors) {
        let vectors = try SetAVectors.load()
        let path = NSTemporaryDirectory() + "setA-\(getpid())-\(UUID().uuidString).\(format)"
        let writer = try CaptureWriter(path: path, clock: { 1_772_442_000_000_000 })
        for step in SetAVectors.conversation {
            let bytes = try vectors.bytes(step.key)
            let handle: UInt16 = step.onUSDIO ? 0x000A : 0x0003
            let h = [UInt8(truncatingIfNeeded: handle), UInt8(truncatingIfNeeded: handle >> 8)]
            if !step.fromClient {
                #expect(writer.record([0x1D] + h + bytes, direction: .sent, connectionHandle: 0x0040) == nil)
            } else if step.key == "authorization_data_message" {
                // A long write in two parts (Core Vol 3 Part F §3.4.6).
                #expect(writer.record([0x16] + h + [0, 0] + Array(bytes.prefix(18)), direction: .received, connectionHandle: 0x0040) == nil)
                #expect(writer.record([0x16] + h + [18, 0] + Array(bytes.dropFirst(18)), direction: .received, connectionHandle: 0x0040) == nil)
                #expect(writer.record([0x18, 0x01], direction: .received, connectionHandle: 0x0040) == nil)
            } else {
                #expect(writer.record([0x12] + h + bytes, direction: .received, connectionHandle: 0x0040) == nil)
            }
        }
        writer.close()
        return (path, try SharedKey(rawBytes: try vectors.bytes("shared_key_s")), vectors)
    }

    @Test(arguments: ["btsnoop", "pcap"])
    func setACaptureBecomesExactSeeds(format: String) throws {
        let (path, key, vectors) = try setACapture(format: format)
        let folder = NSTemporaryDirectory() + "corpus-\(getpid())-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let report = try CaptureCorpus.write(path, keys: [key], to: folder)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        #expect(report.files == ["Commands/\(stem)-40.jsonl", "LockSession/\(stem)-40-1"])
        #expect(report.messages == 8 && report.connections == 1 && report.unopened == 0)

        // The plaintext command sequence, line by line.
        let lines = try String(contentsOfFile: folder + "/Commands/\(stem)-40.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 8)
        #expect(lines[0] == #"{"channel":"plain","command":"0001","name":"REQUEST_DATA","payload":"0300"}"#)
        #expect(lines[1] == #"{"channel":"plain","command":"0003","name":"PUBLIC_KEY","payload":"\#(Hex.encode(try vectors.bytes("client_public_key")))"}"#)
        #expect(lines[5] == #"{"authID":\#(try vectors.number("auth_id")),"channel":"encrypted","command":"0001","name":"REQUEST_DATA","payload":"0C00"}"#)
        #expect(lines[6] == #"{"authID":\#(try vectors.number("auth_id")),"channel":"encrypted","command":"0001","name":"REQUEST_DATA","payload":"0400"}"#)
        #expect(lines[7] == #"{"authID":\#(try vectors.number("auth_id")),"channel":"encrypted","command":"000D","name":"LOCK_ACTION","payload":"\#(Hex.encode(try vectors.bytes("lock_action_payload")))"}"#)
        // The long write was joined: Authorization Data whole.
        let data = try JSONDecoder().decode(CaptureCorpus.CommandSeedLine.self, from: Data(lines[3].utf8))
        let authorizationData = try vectors.bytes("authorization_data_message")
        #expect(data.command == "0006" && data.payload == Hex.encode(authorizationData.dropFirst(2).dropLast(2)))

        // The lockSession seed: five raw writes to the pairing GDIO, three sealed commands as the app.
        var script = SessionSeeds.SessionScript()
        for name in ["request_public_key_message", "client_public_key_message", "authorization_authenticator_message", "authorization_data_message",
            "authorization_id_confirmation_message"]
        {
            script.raw(0, try vectors.bytes(name))
        }
        script.sealed(.app, .requestData, [0x0C, 0x00])
        script.sealed(.app, .requestData, [0x04, 0x00])
        script.sealed(.app, .lockAction, try vectors.bytes("lock_action_payload"))
        let seed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/LockSession/\(stem)-40-1")))
        #expect(seed == script.bytes)
        // It runs through the harness without an invariant violation, every byte read.
        let run = LockSessionHarness.run(seed[...])
        #expect(run.violation == nil && run.unread == 0)
    }

    /// Without the key the encrypted messages are counted, not guessed.
    @Test func withoutTheKeyOnlyPairingIsKept() throws {
        let (path, _, _) = try setACapture(format: "btsnoop")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (files, report) = CaptureCorpus.seeds(try CaptureCorpus.messages(in: Array(try Data(contentsOf: URL(fileURLWithPath: path)))), keys: [], stem: "x")
        #expect(report.unopened == 3 && report.messages == 5)
        #expect(files.map(\.name) == ["Commands/x-40.jsonl", "LockSession/x-40-1"])
    }

    /// btmon's `-w` format (btsnoop datalink 2001): flags = controller index << 16 | opcode, ACL
    /// without the H4 type byte (BlueZ `src/shared/btsnoop.h`: opcode 4 ACL TX, 5 ACL RX). One ACL
    /// TX record with Request Data (Public Key) written to the pairing GDIO on controller 1, handle
    /// 0x0041, plus records of other opcodes with the same bytes (skipped).
    @Test func btmonMonitorFormat() throws {
        var file = Array("btsnoop".utf8) + [0, 0, 0, 0, 1, 0, 0, 0x07, 0xD1]
        func record(flags: UInt32, _ packet: [UInt8]) {
            let n = UInt32(packet.count)
            let be = { (v: UInt32) in [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
            file += be(n) + be(n) + be(flags) + be(0) + [0, 0, 0, 0, 0, 0, 0, 0] + packet
        }
        record(flags: 1 << 16 | 0, [0x01, 0x02])  // new index: skipped
        let att: [UInt8] = [0x12, 0x03, 0x00, 0x01, 0x00, 0x03, 0x00, 0x27, 0xA7]
        let l2cap: [UInt8] = [UInt8(att.count), 0, 0x04, 0x00] + att
        // Opcodes 2 and 3 are HCI Command and Event packets (BTSNOOP_OPCODE_COMMAND_PKT,
        // EVENT_PKT), never ACL, even when their bytes look like an ATT write.
        record(flags: 1 << 16 | 2, [0x41, 0x20, UInt8(l2cap.count), 0] + l2cap)
        record(flags: 1 << 16 | 3, [0x41, 0x20, UInt8(l2cap.count), 0] + l2cap)
        record(flags: 1 << 16 | 4, [0x41, 0x20, UInt8(l2cap.count), 0] + l2cap)  // ACL TX
        let messages = try CaptureCorpus.messages(in: file)
        #expect(messages.count == 1)
        #expect(messages.first?.connection == 1 << 16 | 0x41 && messages.first?.handle == 0x0003)
        #expect(messages.first?.value == [0x01, 0x00, 0x03, 0x00, 0x27, 0xA7])
        // Truncated: a typed error, no trap.
        #expect(throws: TransportError.self) { try CaptureCorpus.messages(in: Array(file.dropLast(3))) }
    }
}
