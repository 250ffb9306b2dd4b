import Foundation
import LockFuzzing
import LockWire
import Testing

@testable import LockFuzzTarget

/// The live fuzzer's pieces without a lock: seeds and dictionaries, the mutator's determinism and
/// field offsets, byte edits, and the session trace format.
@Suite struct LiveFuzzUnitTests {
    @Test func dictionaryLinesBecomeTokens() throws {
        let path = NSTemporaryDirectory() + "latchkey-dict-\(UUID().uuidString).dict"
        try Data("""
            # comment
            cmd_lock_action="\\x0D\\x00"
            quote="a\\"b"
            plain="AB"

            bad="\\xZZ"
            """.utf8).write(to: URL(fileURLWithPath: path))
        var seeds = FuzzSeeds()
        #expect(seeds.load(dictionary: path) == 3)
        #expect(seeds.tokens == [[0x0D, 0x00], [0x61, 0x22, 0x62], [0x41, 0x42]])
    }

    @Test func corpusFoldersAreRead() throws {
        let folder = NSTemporaryDirectory() + "latchkey-corpus-\(UUID().uuidString)"
        for sub in ["CommandPayloads", "LockSession", "PlainFrame"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        // flags 0 ‖ Request Data (0x0001) ‖ Keyturner States; an Ultra seed (flags 1) is skipped.
        try Data([0x00, 0x01, 0x00, 0x0C, 0x00]).write(to: URL(fileURLWithPath: folder + "/CommandPayloads/a"))
        try Data([0x01, 0x01, 0x00, 0x0C, 0x00]).write(to: URL(fileURLWithPath: folder + "/CommandPayloads/b"))
        // Op 5 (fob press, a = 1): fob action 0x82 as the fob; op 1 (sealed command as the keypad, f = 1):
        // command 0x0014, length 2, payload AA BB.
        try Data([0x05, 0x01, 0x01, 0x01, 0x14, 0x00, 0x02, 0x00, 0xAA, 0xBB]).write(to: URL(fileURLWithPath: folder + "/LockSession/s"))
        try Data([0x01, 0x00, 0x03, 0x00, 0x27, 0xA7]).write(to: URL(fileURLWithPath: folder + "/PlainFrame/p"))
        var seeds = FuzzSeeds()
        #expect(seeds.load(corpus: folder) == ["CommandPayloads": 1, "LockSession": 1, "PlainFrame": 1])
        #expect(seeds.messages == [SeedMessage(command: 0x0001, payload: [0x0C, 0x00])])
        let fob = NukiMessage.lockAction(LockActionRequest(action: .fobAction2, appID: 1, challenge: .zero))
        #expect(seeds.sequences == [[
            SeedMessage(role: .fob, command: 0x000D, payload: fob.encodedPayload()),
            SeedMessage(role: .keypad, command: 0x0014, payload: [0xAA, 0xBB]),
        ]])
        #expect(seeds.plainFrames == [[0x01, 0x00, 0x03, 0x00, 0x27, 0xA7]])
    }

    /// `Commands/*.jsonl` (what `latchkey capture --to-corpus` writes): the encrypted lines become
    /// one sequence for any client and single messages, the plain lines plain frames with their CRC;
    /// lines that do not parse and files of another name are skipped.
    @Test func capturedCommandsAreRead() throws {
        let folder = NSTemporaryDirectory() + "latchkey-corpus-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/Commands", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("""
            {"channel":"plain","command":"0001","name":"REQUEST_DATA","payload":"0300"}
            {"authID":7,"channel":"encrypted","command":"0001","name":"REQUEST_DATA","payload":"0C00"}
            not json
            {"channel":"encrypted","command":"0D","payload":"AABB"}
            {"channel":"encrypted","command":"000D","payload":"AAB"}
            {"channel":"sideways","command":"000D","payload":"AABB"}
            {"authID":7,"channel":"encrypted","command":"000D","name":"LOCK_ACTION","payload":"AABB"}
            """.utf8).write(to: URL(fileURLWithPath: folder + "/Commands/hci-20001.jsonl"))
        try Data(#"{"channel":"encrypted","command":"0001","payload":"0400"}"#.utf8).write(to: URL(fileURLWithPath: folder + "/Commands/notes.txt"))
        var seeds = FuzzSeeds()
        #expect(seeds.load(corpus: folder) == ["Commands": 1])
        let sequence = [SeedMessage(command: 0x0001, payload: [0x0C, 0x00]), SeedMessage(command: 0x000D, payload: [0xAA, 0xBB])]
        #expect(seeds.sequences == [sequence])
        #expect(seeds.messages == sequence)
        // Request Data (Public Key) with its CRC (Nuki BLE API 2.1, the pairing's first message).
        #expect(seeds.plainFrames == [[0x01, 0x00, 0x03, 0x00, 0x27, 0xA7]])
    }

    /// The same seed gives the same inputs in every mode; another seed gives others.
    @Test(arguments: FuzzMode.allCases)
    func inputsAreDeterministic(_ mode: FuzzMode) {
        func inputs(_ seed: UInt64) -> [LiveInput] {
            var mutator = LiveMutator(seed: seed, seeds: FuzzSeeds.builtIn(), roles: FuzzRole.allCases, pinKnown: true)
            mutator.authIDs = [.admin: 1, .keypad: 2, .fob: 3, .revoked: 4, .disabled: 5, .expired: 6]
            mutator.handles = [0x0003, 0x0006, 0x0009]
            return (0..<200).map { mutator.next(index: $0, mode: mode) }
        }
        let first = inputs(7)
        #expect(first == inputs(7))
        #expect(first != inputs(8))
        #expect(first.map(\.index) == Array(0..<200))
        #expect(first.allSatisfy { $0.mode == mode })
    }

    /// The admin only ever sends reads without a PIN.
    @Test func adminSendsOnlyReads() {
        var mutator = LiveMutator(seed: 1, seeds: FuzzSeeds.builtIn(), roles: FuzzRole.allCases, pinKnown: true)
        let admin = (0..<2000).map { mutator.next(index: $0, mode: .structured) }.filter { $0.role == .admin }
        #expect(!admin.isEmpty)
        #expect(admin.allSatisfy { [0x0001, 0x0014, 0x0036].contains($0.command ?? 0) && $0.pinOffset == nil })
    }

    /// Scripted operations replace the mutated input exactly where they are due (the defaults: the
    /// disabled code at 16 and 1,016, the pairing at 40, the PIN burst at 64, the code cycle at
    /// 2,500) without drawing from the dice: the mutated inputs are those of a campaign without
    /// operations, in the same order.
    @Test func operationsTakeTheirPlaceWithoutChangingTheOtherInputs() {
        var plain = LiveMutator(seed: 5, seeds: FuzzSeeds.builtIn(), roles: FuzzRole.allCases, pinKnown: true)
        var scripted = LiveMutator(seed: 5, seeds: FuzzSeeds.builtIn(), roles: FuzzRole.allCases, pinKnown: true)
        scripted.operations = LiveFuzzOptions().operations
        let inputs = (0..<2_600).map { scripted.next(index: $0, mode: .structured) }
        let operations = inputs.filter { $0.operation != nil }
        #expect(operations.map(\.index) == [16, 40, 64, 1_016, 2_016, 2_500])
        #expect(operations.map(\.operation) == [.disabledCode, .pairingAuthenticator, .pinBurst, .disabledCode, .disabledCode, .codeCycle])
        #expect(operations.map(\.role) == [.keypad, .admin, .admin, .keypad, .keypad, .admin])
        #expect(operations.allSatisfy { $0.command == nil && $0.payload == nil && !$0.tampered })
        let mutated = inputs.filter { $0.operation == nil }
        let expected = (0..<mutated.count).map { plain.next(index: $0, mode: .structured) }
        #expect(mutated.map(\.payload) == expected.map(\.payload))
        #expect(mutated.map(\.command) == expected.map(\.command))
        #expect(mutated.map(\.role) == expected.map(\.role))
        #expect(OperationSchedule(first: 64, every: 0).isDue(at: 64) && !OperationSchedule(first: 64, every: 0).isDue(at: 128))
    }

    /// Challenge and PIN offsets are found by decoding: Remove Authorization Entry is auth id u32 ‖
    /// challenge 32 ‖ PIN u16.
    /// One link at a time (``LiveTarget/oneLinkAtATime``): with a client run of 8, inputs 0–7 come
    /// from one client, 8–15 from one client, and so on, never the admin; with runs of 1 the client
    /// changes within any 8 inputs.
    @Test func clientRunsKeepTheLink() {
        var mutator = LiveMutator(seed: 3, seeds: FuzzSeeds.builtIn(), roles: [.admin, .keypad, .fob, .revoked, .disabled, .expired], pinKnown: true)
        mutator.clientRun = 8
        let roles = (0..<400).map { mutator.next(index: $0, mode: .structured).role }
        for start in stride(from: 0, to: 400, by: 8) {
            #expect(Set(roles[start..<start + 8]).count == 1, "inputs \(start)…\(start + 7): \(roles[start..<start + 8])")
        }
        #expect(!roles.contains(.admin))
        #expect(Set(roles).count >= 3)
        var single = LiveMutator(seed: 3, seeds: FuzzSeeds.builtIn(), roles: [.admin, .keypad, .fob], pinKnown: false)
        let mixed = (0..<400).map { single.next(index: $0, mode: .structured).role }
        #expect(stride(from: 0, to: 400, by: 8).contains { Set(mixed[$0..<$0 + 8]).count > 1 })
    }

    @Test func fieldOffsetsComeFromTheCodec() {
        let message = NukiMessage.removeAuthorizationEntry(RemoveAuthorizationEntry(authID: 7, challenge: .zero, securityPIN: .u16(0)))
        let payload = message.encodedPayload()
        #expect(payload.count == 38)
        #expect(LiveMutator.offset(of: Array(repeating: 0, count: 32), in: payload, command: .removeAuthorizationEntry) { $0.challenge != nil } == 4)
        #expect(LiveMutator.offset(of: [0, 0], in: payload, command: .removeAuthorizationEntry) { $0.securityPIN != nil } == 36)
    }

    @Test func byteEdits() {
        var bytes: [UInt8] = [1, 2, 3, 4]
        ByteEdit.xor(at: 1, mask: 0xFF).apply(to: &bytes)
        #expect(bytes == [1, 0xFD, 3, 4])
        ByteEdit.xor(at: 9, mask: 0xFF).apply(to: &bytes)
        #expect(bytes == [1, 0xFD, 3, 4])
        ByteEdit.truncate(count: 2).apply(to: &bytes)
        #expect(bytes == [1, 0xFD])
        ByteEdit.append("A0B1").apply(to: &bytes)
        #expect(bytes == [1, 0xFD, 0xA0, 0xB1])
    }

    @Test func traceRoundTrips() throws {
        var input = LiveInput(index: 3, mode: .frame, role: .keypad, challenge: .fresh, note: "byte 2 = 0x0")
        input.command = 0x000D
        input.payload = "0102"
        input.challengeOffset = 6
        input.pdataEdits = [.xor(at: 0, mask: 1)]
        let frame = TraceFrame(direction: "sent", channel: "keyturner USDIO", role: "keypad", micros: 1200, hex: "AB", summary: "LOCK_ACTION(0x000D) as keypad")
        let finding = LiveFinding(oracle: "access-matrix", detail: "d", input: 3, seconds: 0.5, trace: nil)
        let header = TraceHeader(target: "socket", mode: "frame", seed: 9, roles: ["keypad": 2], checkEvery: 1, mtu: 247, version: 1)
        let trace = LiveTrace(header: header, inputs: [.init(input: input, frames: [frame, frame])], finding: finding)
        let text = try trace.encoded()
        #expect(text.split(separator: "\n").count == 5)
        #expect(text.hasPrefix("{\"header\":{\"checkEvery\":1,\"mode\":\"frame\",\"mtu\":247,\"roles\":{\"keypad\":2},\"seed\":9,\"target\":\"socket\",\"version\":1},\"type\":\"header\"}\n"))
        let read = try LiveTrace.read(text)
        #expect(read.header == header)
        #expect(read.inputs.map(\.input) == [input])
        #expect(read.inputs.first?.frames == [frame, frame])
        #expect(read.finding == finding)
    }

    @Test func badTracesAreRefusedByLine() {
        #expect(throws: LiveTrace.ReadError.self) { try LiveTrace.read("{\"type\":\"input\"}\n") }
        do {
            _ = try LiveTrace.read("not json\n")
            Issue.record("a line that is not JSON was read")
        } catch {
            #expect(error.description == "line 1 is not a trace line (JSON with a type of header, input, frame or finding)")
        }
        do {
            _ = try LiveTrace.read("{\"type\":\"header\",\"header\":{\"checkEvery\":1,\"mode\":\"att\",\"mtu\":23,\"roles\":{},\"seed\":1,\"target\":\"socket\",\"version\":1}}\n")
            Issue.record("a trace without inputs was read")
        } catch {
            #expect(error.description == "the trace has no inputs")
        }
    }
}
