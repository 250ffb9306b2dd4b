import Foundation
import LockCore
import LockFuzzing
import LockWire

/// One message a seed asks for: a command and payload, and which of the fuzzer's clients the
/// corpus sent it as (nil: any).
public struct SeedMessage: Hashable, Sendable {
    /// The client the corpus sent it as (nil: any).
    public var role: FuzzRole?
    /// Command id (u16).
    public var command: UInt16
    /// The payload as the corpus has it (challenge and PIN as found there).
    public var payload: [UInt8]

    /// A seed message.
    public init(role: FuzzRole? = nil, command: UInt16, payload: [UInt8]) {
        self.role = role
        self.command = command
        self.payload = payload
    }
}

/// What `latchkey fuzz --target` starts from: single messages, stateful sequences, plain frames and
/// dictionary tokens, from the repository's `Corpus/` and `Fuzz/dictionaries/` plus a built-in set
/// (so a binary without a checkout still fuzzes).
///
/// Corpus formats read (`Corpus/README.md`, `Fuzz/README.md`):
/// - `CommandPayloads/`: flags u8 (bit 0 Ultra, skipped) ‖ command id u16 LE ‖ payload;
/// - `LockSession/`: the `lockSession` target's op sequences (``LockFuzzing/LockSessionHarness``);
///   ops 1 (sealed command), 4 (keypad), 5 (fob press) and 8 (lock action) become one sequence of
///   messages, in order, with their client (app → admin, keypad, fob);
/// - `PlainFrame/`: whole plain frames (command ‖ payload ‖ CRC) for the frame mode's GDIO writes;
/// - `Commands/*.jsonl`: a captured connection's client messages as `latchkey capture --to-corpus`
///   writes them (`Corpus/README.md`), one JSON object a line: `{"channel":"plain"|"encrypted",
///   "command":"000D","payload":"<hex>",…}`. The encrypted ones become one sequence per file (any
///   client; the capture's auth id is not the fuzzer's) and single messages; the plain ones become
///   plain frames (their CRC computed again). Lines that do not parse are skipped.
/// Dictionaries are libFuzzer/AFL `.dict` files: `name="bytes"` with `\xNN` escapes.
public struct FuzzSeeds: Sendable {
    /// Single messages (CommandPayloads, built-in).
    public var messages: [SeedMessage] = []
    /// Stateful sequences sent in order (LockSession).
    public var sequences: [[SeedMessage]] = []
    /// Whole plain frames (PlainFrame, built-in).
    public var plainFrames: [[UInt8]] = []
    /// Dictionary tokens.
    public var tokens: [[UInt8]] = []

    /// No seeds.
    public init() {}

    /// Messages by command id (for splicing a payload of the same command).
    public func messages(for command: UInt16) -> [SeedMessage] { messages.filter { $0.command == command } }

    /// A few well-formed messages of every client command class (zero challenge, PIN 0000), and the
    /// plain pairing requests; used whether or not a corpus is found.
    public static func builtIn() -> FuzzSeeds {
        var seeds = FuzzSeeds()
        let zero = Bytes32.zero
        let pin = SecurityPIN.u16(0)
        var built: [NukiMessage] = [
            .requestData(RequestData(requestedCommand: .keyturnerStates)),
            .requestData(RequestData(requestedCommand: .batteryReport)),
            .requestData(RequestData(requestedCommand: .challenge)),
            .requestData(RequestData(requestedCommand: .config)),
            .requestConfig(RequestConfig(challenge: zero)),
            .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 10, challenge: zero, securityPIN: pin)),
            .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 10, challenge: zero, securityPIN: pin)),
            .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: 1, challenge: zero, securityPIN: pin)),
            .keypadAction(KeypadActionRequest(source: .code, code: 123456, action: .unlock, challenge: zero)),
            .keypadAction(KeypadActionRequest(source: .backKey, code: 0, action: .lock, challenge: zero)),
        ]
        for action in [LockAction.unlock, .lock, .unlatch, .lockNGo, .fullLock, .fobAction1, .fobAction2, .fobAction3] {
            built.append(.lockAction(LockActionRequest(action: action, appID: 1, challenge: zero)))
        }
        seeds.messages = built.map { SeedMessage(command: $0.command.rawValue, payload: $0.encodedPayload()) }
        seeds.plainFrames = [
            PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(),
            PlainFrame(RequestData(requestedCommand: .challenge)).encoded(),
        ]
        return seeds
    }

    /// Adds the seeds under `corpus` (a `Corpus/` folder): the counts read per folder.
    @discardableResult
    public mutating func load(corpus: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for data in Self.files(in: corpus + "/CommandPayloads") {
            guard data.count >= 3, data[0] & 1 == 0 else { continue }
            messages.append(SeedMessage(command: UInt16(data[1]) | UInt16(data[2]) << 8, payload: Array(data[3...])))
            counts["CommandPayloads", default: 0] += 1
        }
        for data in Self.files(in: corpus + "/LockSession") {
            let sequence = Self.lockSessionMessages(data)
            guard !sequence.isEmpty else { continue }
            sequences.append(sequence)
            counts["LockSession", default: 0] += 1
        }
        for data in Self.files(in: corpus + "/PlainFrame") {
            plainFrames.append(data)
            counts["PlainFrame", default: 0] += 1
        }
        for data in Self.files(in: corpus + "/Commands", suffix: ".jsonl", maxBytes: Self.maxCommandsFileBytes) {
            let (sequence, plain) = Self.commandLines(data)
            guard !sequence.isEmpty || !plain.isEmpty else { continue }
            if !sequence.isEmpty { sequences.append(sequence) }
            messages += sequence
            plainFrames += plain
            counts["Commands", default: 0] += 1
        }
        return counts
    }

    /// The largest `Commands/*.jsonl` file read (bytes); larger ones are skipped.
    static let maxCommandsFileBytes = 256 * 1024

    /// One line of a `Commands/*.jsonl` seed (the fields the fuzzer uses).
    struct CommandLine: Decodable {
        var channel: String
        var command: String
        var payload: String
    }

    /// The encrypted messages (in order) and the plain frames of one `Commands/*.jsonl` file.
    static func commandLines(_ data: [UInt8]) -> (sequence: [SeedMessage], plain: [[UInt8]]) {
        var sequence: [SeedMessage] = []
        var plain: [[UInt8]] = []
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let parsed = try? decoder.decode(CommandLine.self, from: Data(line)), parsed.command.count == 4,
                let command = UInt16(parsed.command, radix: 16), let payload = Hex.decode(parsed.payload),
                payload.count <= WireLimits.maxPayloadBytes
            else { continue }
            switch parsed.channel {
            case "encrypted": sequence.append(SeedMessage(command: command, payload: payload))
            case "plain": plain.append(PlainFrame(command: Command(rawValue: command), payload: payload).encoded())
            default: continue
            }
        }
        return (sequence, plain)
    }

    /// Adds the tokens of a libFuzzer dictionary file; the number added.
    @discardableResult
    public mutating func load(dictionary path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        var added = 0
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let open = trimmed.firstIndex(of: "\""), trimmed.last == "\"", open < trimmed.index(before: trimmed.endIndex)
            else { continue }
            let body = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            if let token = Self.unescape(body), !token.isEmpty, token.count <= 64 {
                tokens.append(token)
                added += 1
            }
        }
        return added
    }

    /// The bytes of a dictionary string: `\xNN`, `\\`, `\"` escapes, other characters as UTF-8.
    static func unescape(_ body: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        var scalars = Array(body.utf8)[...]
        while let c = scalars.popFirst() {
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard let next = scalars.popFirst() else { return nil }
            if next == UInt8(ascii: "x") {
                guard scalars.count >= 2, let value = UInt8(String(decoding: scalars.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                scalars = scalars.dropFirst(2)
                out.append(value)
            } else {
                out.append(next)
            }
        }
        return out
    }

    /// The regular files of a folder whose names end in `suffix`, sorted by name (deterministic), at
    /// most `maxBytes` each (4 KiB unless given).
    static func files(in folder: String, suffix: String = "", maxBytes: Int = 4096) -> [[UInt8]] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(suffix) }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder + "/" + name), data.count <= maxBytes else { return nil }
            return [UInt8](data)
        }
    }

    /// The client messages of one `lockSession` input, in order (the op format of
    /// ``LockFuzzing/LockSessionHarness``; ops without a client message are skipped).
    static func lockSessionMessages(_ data: [UInt8]) -> [SeedMessage] {
        var reader = FuzzInputReader(data[...])
        var out: [SeedMessage] = []
        let roles: [FuzzRole?] = [.admin, .keypad, .fob, nil]
        var ops = 0
        while !reader.isAtEnd, ops < LockSessionHarness.maxOperations {
            ops += 1
            let op = LockSessionHarness.operationTable[Int(reader.byte() & 0x1F)]
            switch op {
            case .connection, .fobPress, .motorFault:
                let a = reader.byte()
                if op == .fobPress {
                    let message = NukiMessage.lockAction(LockActionRequest(action: LockAction(rawValue: 0x81 + a % 3), appID: 1, challenge: .zero))
                    out.append(SeedMessage(role: .fob, command: message.command.rawValue, payload: message.encodedPayload()))
                }
            case .sealedCommand:
                let flags = reader.byte()
                let command = reader.u16()
                let payload = reader.bytes(upTo: Int(reader.u16()) % LockSessionHarness.maxWriteBytes)
                if let role = roles[Int(flags & 3)] { out.append(SeedMessage(role: role, command: command, payload: payload)) }
            case .rawWrite:
                _ = reader.byte()
                _ = reader.bytes(upTo: Int(reader.u16()) % LockSessionHarness.maxWriteBytes)
            case .clock:
                _ = reader.byte()
                _ = reader.u16()
            case .keypad:
                let mode = reader.byte()
                let action = KeypadLockAction(rawValue: reader.byte())
                let code: UInt32 = mode & 3 == 2 ? reader.u32() : (mode & 3 == 0 ? 0 : 123456)
                let message = NukiMessage.keypadAction(KeypadActionRequest(source: mode & 3 == 0 ? .backKey : .code, code: code, action: action, challenge: .zero))
                out.append(SeedMessage(role: mode & 4 != 0 ? .admin : .keypad, command: message.command.rawValue, payload: message.encodedPayload()))
            case .reboot, .revokeFob:
                break
            case .lockAction:
                let a = reader.byte()
                let r = reader.byte()
                let action = LockSessionHarness.lockActions[Int(a) % LockSessionHarness.lockActions.count]
                let message = NukiMessage.lockAction(LockActionRequest(action: action, appID: 1, challenge: .zero))
                if let role = roles[Int(r & 3)] { out.append(SeedMessage(role: role, command: message.command.rawValue, payload: message.encodedPayload())) }
            case .adminWrite, .tamper, .addCode:
                _ = reader.byte()
                _ = reader.byte()
            case .updateCode, .updateAuthorization:
                _ = reader.bytes(upTo: 3)
            case .nfcTap:
                if reader.byte() >> 4 & 3 == 3 { _ = reader.byte(); _ = reader.u32() } else { _ = reader.byte() }
            case .replay, .clockEdge, .setLockTime, .pinAttempt:
                _ = reader.byte()
            }
        }
        return out
    }
}
