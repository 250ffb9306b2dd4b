import BLETransport
import LockCrypto
import LockEmulator
import LockSession
import LockWire
import NukiProfile

/// One frame of evidence: what went to the lock or came back, on which characteristic, in hex,
/// with what it decoded to.
public struct EvidenceFrame: Sendable, Equatable, Codable {
    /// `sent` (auditor → lock) or `received` (lock → auditor).
    public var direction: String
    /// `pairing GDIO`, `keyturner GDIO`, `keyturner USDIO` or `ATT`.
    public var channel: String
    /// The whole frame (or ATT PDU) in upper-case hex.
    public var hex: String
    /// What it decoded to (command and error code), or why it did not.
    public var summary: String
}

/// A reply frame from the lock, reassembled and decoded where the auditor holds the key.
public struct ReplyFrame: Sendable {
    public var characteristic: Characteristic
    public var bytes: [UInt8]
    /// The decoded message; nil when it did not decode (``note`` says why).
    public var message: NukiMessage?
    /// The clear auth id of an encrypted reply.
    public var authID: UInt32?
    public var note: String?
    /// The payload bytes the message was decoded from (the plaintext's, for an encrypted reply).
    public var payload: [UInt8]? = nil

    /// The Error Report's code, if this is one (plain or encrypted).
    public var errorCode: NukiErrorCode? {
        if case .errorReport(let report) = message { return report.errorCode }
        return nil
    }
}

/// What one write led to.
public struct Exchange: Sendable {
    public var sent: [(Characteristic, [UInt8])] = []
    public var replies: [ReplyFrame] = []
    /// ATT/GATT refusals of the write itself.
    public var writeFailures: [String] = []
    /// Raw ATT PDUs of a probe below GATT (Prepare Write), in order.
    public var attFrames: [EvidenceFrame] = []

    /// The first Error Report's code, if any.
    public var errorCode: NukiErrorCode? { replies.lazy.compactMap(\.errorCode).first }
    /// The decoded messages in order.
    public var messages: [NukiMessage] { replies.compactMap(\.message) }
    /// Whether the lock answered at all.
    public var answered: Bool { !replies.isEmpty || !writeFailures.isEmpty }

    /// A one-line account of the replies, e.g. `ERROR_REPORT K_ERROR_BAD_NONCE (0x22)`.
    public var outcome: String {
        if !writeFailures.isEmpty { return "write refused: " + writeFailures.joined(separator: "; ") }
        if replies.isEmpty { return "no reply" }
        return replies.map { Probe.summary($0) }.joined(separator: ", ")
    }

    /// The frames as evidence.
    public var evidence: [EvidenceFrame] {
        sent.map { EvidenceFrame(direction: "sent", channel: $0.0.traceName, hex: Hex.encode($0.1), summary: Probe.sentSummary($0.0, $0.1)) }
            + replies.map { EvidenceFrame(direction: "received", channel: $0.characteristic.traceName, hex: Hex.encode($0.bytes), summary: Probe.summary($0)) }
            + attFrames
            + writeFailures.map { EvidenceFrame(direction: "received", channel: "ATT", hex: "", summary: $0) }
    }
}

/// The lock stopped answering: its link closed, or a request that must be answered was not.
public struct TargetUnreachable: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Helpers to name and summarise frames.
enum Probe {
    static func summary(_ reply: ReplyFrame) -> String {
        guard let message = reply.message else { return "undecoded (\(reply.note ?? "?"))" }
        return describe(message) + (reply.characteristic == .keyturnerUSDIO ? " (encrypted, auth id \(reply.authID ?? 0))" : " (plain)")
    }

    static func describe(_ message: NukiMessage) -> String {
        switch message {
        case .errorReport(let report):
            return "ERROR_REPORT \(report.errorCode) for command 0x\(hex16(report.commandID.rawValue))"
        case .status(let status): return "STATUS \(status.status)"
        default: return "\(message.command)"
        }
    }

    static func sentSummary(_ c: Characteristic, _ bytes: [UInt8]) -> String {
        if c == .keyturnerUSDIO {
            let authID = bytes.count >= 28 ? UInt32(bytes[24]) | UInt32(bytes[25]) << 8 | UInt32(bytes[26]) << 16 | UInt32(bytes[27]) << 24 : 0
            return "encrypted frame, \(bytes.count) bytes, clear auth id \(authID)"
        }
        if bytes.count >= 2 { return "plain command 0x\(hex16(UInt16(bytes[0]) | UInt16(bytes[1]) << 8)), \(bytes.count) bytes" }
        return "\(bytes.count) bytes"
    }

    static func hex16(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

/// One GATT connection to the lock under test, for probing: writes whole frames of the auditor's
/// choosing and collects, reassembles and decodes what comes back. Encrypted replies are opened
/// with whichever of the auditor's keys their clear auth id names.
public final class ProbeConnection {
    let client: PeripheralClient
    let keys: () -> [UInt32: SharedKey]
    let timeout: Duration
    var reassembler = ReplyReassembler()
    /// Replies that arrived before anyone asked (drained before each write).
    public private(set) var strays: [ReplyFrame] = []
    /// Whether a command on this connection was accepted (more indications may follow).
    var dirty = false

    init(client: PeripheralClient, keys: @escaping () -> [UInt32: SharedKey], timeout: Duration) {
        self.client = client
        self.keys = keys
        self.timeout = timeout
    }

    /// The underlying client (raw ATT probes).
    public var peripheral: PeripheralClient { client }

    /// Writes `bytes` to `characteristic` and waits for a decisive reply: an Error Report, a Status,
    /// a message in `finals`, or a refusal of the write; or `timeout` (default: the connection's)
    /// with whatever came. Throws ``TargetUnreachable`` when the link closes.
    public func send(_ bytes: [UInt8], on characteristic: Characteristic, finals: Set<Command> = [], timeout: Duration? = nil) throws -> Exchange {
        try drain()
        var exchange = Exchange()
        exchange.sent.append((characteristic, bytes))
        try collect(bytes, on: characteristic, timeout: timeout ?? self.timeout, into: &exchange) { reply in
            guard let message = reply.message else { return true }
            switch message {
            case .errorReport, .status: return true
            default: return finals.contains(message.command)
            }
        }
        return exchange
    }

    /// Writes `bytes` (nil: nothing) and collects replies into `exchange` until one is `decisive`.
    func collect(
        _ bytes: [UInt8]?, on characteristic: Characteristic, timeout: Duration, into exchange: inout Exchange,
        decisive: (ReplyFrame) -> Bool
    ) throws {
        var processed = 0
        var done = false
        do {
            _ = try client.exchange(bytes, to: characteristic, timeout: timeout) { received in
                while processed < received.count {
                    let item = received[processed]
                    processed += 1
                    switch item {
                    case .writeFailed(let reason):
                        exchange.writeFailures.append(reason)
                        done = true
                    case .indication(let which, let chunk):
                        for reply in absorb(chunk, on: which) {
                            exchange.replies.append(reply)
                            if decisive(reply) { done = true }
                        }
                    }
                }
                return done
            }
        } catch {
            throw TargetUnreachable(description: "the link to the lock closed (\(error))")
        }
    }

    /// Takes in what arrived unasked (state updates after an accepted command) so the next write's
    /// replies are its own.
    func drain() throws {
        var stray = Exchange()
        try collect(nil, on: .keyturnerUSDIO, timeout: .milliseconds(dirty ? 50 : 1), into: &stray) { _ in false }
        strays += stray.replies
        dirty = false
        reassembler.reset()
    }

    /// Reassembles `chunk` and decodes the frames it completes.
    func absorb(_ chunk: [UInt8], on characteristic: Characteristic) -> [ReplyFrame] {
        reassembler.absorb(chunk, on: characteristic, keys: keys())
    }

    /// Closes the connection.
    public func close() { client.close() }
}

/// Joins the lock's indications into whole frames, one reassembler per characteristic, and decodes
/// each frame: plain frames checked by CRC; encrypted ones (keyturner USDIO) opened under the key
/// their clear auth id (bytes 24–27) names, then decoded with LockWire (`docs/wire.md` §2). Shared by
/// the audit's probes and the live fuzzer (`LockFuzzTarget`).
public struct ReplyReassembler: Sendable {
    var plain: [Characteristic: FragmentReassembler] = [
        .pairingGDIO: FragmentReassembler(framing: .plain), .keyturnerGDIO: FragmentReassembler(framing: .plain),
    ]
    var encrypted = FragmentReassembler(framing: .encrypted)

    public init() {}

    /// Drops every half-joined frame.
    public mutating func reset() {
        encrypted.reset()
        for key in plain.keys { plain[key]?.reset() }
    }

    /// The frames `chunk` completes on `characteristic`, decoded (``ReplyFrame/note`` says why one
    /// did not decode). A chunk that breaks reassembly (a bad length, past the caps) empties the
    /// reassemblers and comes back as one undecoded frame of the chunk, its note "does not
    /// reassemble: " and the reason.
    public mutating func absorb(_ chunk: [UInt8], on characteristic: Characteristic, keys: [UInt32: SharedKey]) -> [ReplyFrame] {
        do {
            if characteristic == .keyturnerUSDIO {
                return try encrypted.append(chunk[...]).map { Self.decodeEncrypted($0, keys: keys) }
            }
            var reassembler = plain[characteristic] ?? FragmentReassembler(framing: .plain)
            defer { plain[characteristic] = reassembler }
            return try reassembler.append(chunk[...]).map { Self.decodePlain($0, on: characteristic) }
        } catch {
            reset()
            return [ReplyFrame(characteristic: characteristic, bytes: chunk, message: nil, authID: nil, note: "does not reassemble: \(error)")]
        }
    }

    /// An encrypted frame opened under the key of its clear auth id and decoded.
    public static func decodeEncrypted(_ frame: [UInt8], keys: [UInt32: SharedKey]) -> ReplyFrame {
        let authID = frame.count >= 28 ? UInt32(frame[24]) | UInt32(frame[25]) << 8 | UInt32(frame[26]) << 16 | UInt32(frame[27]) << 24 : nil
        do {
            let plaintext = try EncryptedMessageCodec.open(frame) { keys[$0] }
            let message = try NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: .smartLock)
            return ReplyFrame(characteristic: .keyturnerUSDIO, bytes: frame, message: message, authID: authID, note: nil, payload: plaintext.payload)
        } catch {
            return ReplyFrame(characteristic: .keyturnerUSDIO, bytes: frame, message: nil, authID: authID, note: "\(error)")
        }
    }

    /// A plain frame checked by CRC and decoded.
    public static func decodePlain(_ frame: [UInt8], on characteristic: Characteristic) -> ReplyFrame {
        do {
            let decoded = try PlainFrame.decode(frame)
            let message = try NukiMessage.decode(command: decoded.command, payload: decoded.payload, context: .smartLock)
            return ReplyFrame(characteristic: characteristic, bytes: frame, message: message, authID: nil, note: nil, payload: decoded.payload)
        } catch {
            return ReplyFrame(characteristic: characteristic, bytes: frame, message: nil, authID: nil, note: "\(error)")
        }
    }
}
