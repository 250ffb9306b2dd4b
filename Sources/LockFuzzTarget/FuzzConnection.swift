import BLEATT
import Foundation
import LockAudit
import LockCrypto
import LockEmulator
import LockSession
import LockWire
import NukiProfile

/// One frame on the link, as a session trace records it (`latchkey fuzz --target`, `latchkey replay`).
public struct TraceFrame: Codable, Hashable, Sendable {
    /// `sent` (fuzzer → lock) or `received` (lock → fuzzer).
    public var direction: String
    /// `pairing GDIO`, `keyturner GDIO`, `keyturner USDIO` or `ATT`.
    public var channel: String
    /// The fuzzer role whose connection carried it (`admin`, `keypad`, …, `att`).
    public var role: String
    /// Microseconds since the campaign (or replay) started, on the monotonic clock.
    public var micros: Int64
    /// The whole frame (a reassembled Nuki message, or one ATT PDU) in upper-case hex.
    public var hex: String
    /// What it decoded to, or why not.
    public var summary: String
}

/// A reply frame from the lock, reassembled, opened where the fuzzer holds the key, decoded, and
/// checked against its layout.
public struct FuzzReply: Sendable {
    /// The characteristic it came on.
    public var characteristic: Characteristic
    /// The whole (reassembled) frame.
    public var bytes: [UInt8]
    /// The decoded message; nil when it did not decode (``problem`` says why).
    public var message: NukiMessage?
    /// The clear auth id of an encrypted reply.
    public var authID: UInt32?
    /// Why the reply breaks the protocol: it does not open or decode, or its payload does not
    /// re-encode to the bytes received (it does not fit its layout). Nil when it is well-formed.
    public var problem: String?

    /// The frame as the shared reassembler decoded it; `problem` is its note, or, for a decoded
    /// one, whether its payload does not re-encode to the bytes received.
    init(_ frame: ReplyFrame) {
        characteristic = frame.characteristic
        bytes = frame.bytes
        message = frame.message
        authID = frame.authID
        if let note = frame.note {
            problem = note
        } else if let message = frame.message, let payload = frame.payload, message.encodedPayload() != payload {
            problem = "\(message.command) payload of \(payload.count) bytes does not re-encode to itself"
        } else {
            problem = nil
        }
    }

    /// The Error Report's code, if the reply is one.
    public var errorCode: NukiErrorCode? {
        if case .errorReport(let report) = message { return report.errorCode }
        return nil
    }

    /// Whether the lock answered with something other than an Error Report (it acted on, or
    /// answered, the request).
    public var isAcceptance: Bool { message != nil && errorCode == nil }

    /// A one-line account, e.g. `ERROR_REPORT K_ERROR_BAD_NONCE(0x22) for 0x000D`.
    public var summary: String {
        guard let message else { return "undecoded (\(problem ?? "?"))" }
        switch message {
        case .errorReport(let report): return "ERROR_REPORT \(report.errorCode) for \(report.commandID)"
        case .status(let status): return "STATUS \(status.status)"
        default: return "\(message.command)"
        }
    }
}

/// What one write led to.
public struct FuzzExchange: Sendable {
    /// Replies attributed to this write, in order.
    public var replies: [FuzzReply] = []
    /// Replies that were already on their way before the write (late COMPLETEs of earlier inputs).
    public var strays: [FuzzReply] = []
    /// ATT/GATT refusals of the write itself.
    public var writeFailures: [String] = []
    /// Indication chunks longer than ATT_MTU − 3 (protocol oracle).
    public var oversizedChunks: [Int] = []

    /// Whether the lock answered at all (a reply or a refusal of the write).
    public var answered: Bool { !replies.isEmpty || !writeFailures.isEmpty }
    /// The decoded messages in order.
    public var messages: [NukiMessage] { replies.compactMap(\.message) }
    /// The first reply that is not an Error Report.
    public var acceptance: FuzzReply? { replies.first { $0.isAcceptance } }
    /// The first Error Report's code.
    public var errorCode: NukiErrorCode? { replies.lazy.compactMap(\.errorCode).first }
}

/// The link to the lock closed, or it did not answer a request that must be answered.
public struct LinkLost: Error, CustomStringConvertible {
    /// What happened, in words.
    public let description: String
    /// A loss described by `description`.
    public init(_ description: String) { self.description = description }
}

/// One GATT connection of the fuzzer to the lock (one per role): writes whole frames, collects and
/// reassembles the indications, opens encrypted replies with the key their clear auth id names,
/// decodes them with LockWire and checks their layout and the MTU. Every frame goes to `record`.
///
/// Unlike the audit's probe it never waits for stray replies before a write: replies to earlier
/// commands (a Lock Action's COMPLETE, pushed Keyturner States) are told apart as they arrive, so
/// the link runs at the lock's pace.
final class FuzzConnection {
    let role: String
    let client: PeripheralClient
    let keys: () -> [UInt32: SharedKey]
    let record: (TraceFrame) -> Void
    let clock: () -> Int64
    var reassembler = ReplyReassembler()
    /// The challenge this connection was last issued (for stale-challenge inputs).
    var lastChallenge: Bytes32?

    init(role: String, client: PeripheralClient, keys: @escaping () -> [UInt32: SharedKey], clock: @escaping () -> Int64, record: @escaping (TraceFrame) -> Void) {
        self.role = role
        self.client = client
        self.keys = keys
        self.clock = clock
        self.record = record
    }

    var mtu: Int { client.mtu }

    func close() { client.close() }

    /// Writes `bytes` to `characteristic` and collects replies until a decisive one (an Error
    /// Report, a Status, a message in `finals`, a refusal of the write) or `timeout`. Replies that
    /// answer something else go to the exchange's strays: the COMPLETE of an earlier accepted Lock
    /// Action (one per ACCEPTED seen on this connection), and Keyturner States the lock pushes
    /// while its motor runs (unless `finals` asks for them). Throws ``LinkLost`` when the link closes.
    ///
    /// `command` is the request's command: an Error Report naming another (non-zero) command
    /// answers something earlier. `statusEnds` says whether a Status COMPLETE may be the answer
    /// (the sender may send the command); when not, a COMPLETE nobody is owed does not end the
    /// collection: if an Error Report naming the command follows, the COMPLETE was a stray (a run
    /// an earlier session started), else it stands as the answer.
    func send(
        _ bytes: [UInt8], on characteristic: Characteristic, command: Command? = nil, finals: Set<Command>, statusEnds: Bool = true,
        timeout: Duration, summary: String
    ) throws -> FuzzExchange {
        var exchange = FuzzExchange()
        reassembler.reset()
        record(TraceFrame(direction: "sent", channel: characteristic.traceName, role: role, micros: clock(), hex: Hex.encode(bytes), summary: summary))
        var unowedComplete = false
        try collect(bytes, on: characteristic, timeout: timeout, into: &exchange) { reply in
            guard let message = reply.message else { return .answer(decisive: true) }
            switch message {
            case .errorReport(let report):
                if let command, report.commandID.rawValue != 0, report.commandID != command { return .stray }
                return .answer(decisive: true)
            case .status(let status):
                if status.status == .complete, pendingCompletions > 0 {
                    pendingCompletions -= 1
                    return .stray
                }
                if status.status == .accepted { pendingCompletions += 1 }
                if status.status == .complete, !statusEnds {
                    // An Error Report naming the command, if any, follows at once.
                    unowedComplete = true
                    stopCollectingAt = .now + .milliseconds(100)
                    return .answer(decisive: false)
                }
                return .answer(decisive: true)
            case .keyturnerStates where !finals.contains(.keyturnerStates):
                return .stray
            default: return .answer(decisive: finals.contains(message.command))
            }
        }
        if unowedComplete, exchange.replies.contains(where: { $0.errorCode != nil }) {
            let strays = exchange.replies.filter { if case .status? = $0.message { true } else { false } }
            exchange.replies.removeAll { if case .status? = $0.message { true } else { false } }
            exchange.strays += strays
        }
        return exchange
    }

    /// When the collection running ends at the latest (set while waiting to tell a stray COMPLETE).
    var stopCollectingAt: ContinuousClock.Instant?

    /// Completions still owed for Lock Actions accepted on this connection.
    var pendingCompletions = 0

    /// How a reply relates to the request being collected.
    enum Disposition {
        /// It answers the request; `decisive` ends the collection.
        case answer(decisive: Bool)
        /// It answers something earlier (kept apart, judged by the protocol oracle only).
        case stray
    }

    /// Writes `bytes` (nil: nothing) and collects replies into `exchange` until one answers decisively.
    func collect(_ bytes: [UInt8]?, on characteristic: Characteristic, timeout: Duration, into exchange: inout FuzzExchange, classify: (FuzzReply) -> Disposition) throws {
        var processed = 0
        var done = false
        let limit = client.mtu - 3
        stopCollectingAt = nil
        defer { stopCollectingAt = nil }
        do {
            _ = try client.exchange(bytes, to: characteristic, timeout: timeout) { received in
                while processed < received.count {
                    let item = received[processed]
                    processed += 1
                    switch item {
                    case .writeFailed(let reason):
                        exchange.writeFailures.append(reason)
                        record(TraceFrame(direction: "received", channel: "ATT", role: role, micros: clock(), hex: "", summary: "write refused: \(reason)"))
                        done = true
                    case .indication(let which, let chunk):
                        if chunk.count > limit { exchange.oversizedChunks.append(chunk.count) }
                        for reply in absorb(chunk, on: which) {
                            record(TraceFrame(direction: "received", channel: which.traceName, role: role, micros: clock(), hex: Hex.encode(reply.bytes), summary: reply.summary))
                            switch classify(reply) {
                            case .stray: exchange.strays.append(reply)
                            case .answer(let decisive):
                                exchange.replies.append(reply)
                                if decisive { done = true }
                            }
                        }
                    }
                }
                return done || stopCollectingAt.map { ContinuousClock.now >= $0 } == true
            }
        } catch {
            throw LinkLost("the link to the lock closed (\(error))")
        }
    }

    /// Reassembles `chunk` and decodes the frames it completes (``LockAudit/ReplyReassembler``),
    /// checking each decoded payload re-encodes to the bytes received (it fits its layout).
    func absorb(_ chunk: [UInt8], on characteristic: Characteristic) -> [FuzzReply] {
        reassembler.absorb(chunk, on: characteristic, keys: keys()).map(FuzzReply.init)
    }

    // MARK: Raw ATT

    /// Sends raw ATT PDUs one after the other (bypassing the GATT client), waiting after each
    /// request for its response or Error Response (ATT's sequential protocol, Core Vol 3 Part F
    /// §3.3.2) up to `timeout`; indications are confirmed. Returns, per PDU sent, the PDUs received
    /// after it, and the requests left unanswered. Throws ``LinkLost`` when the link closes.
    func sendRaw(_ pdus: [[UInt8]], timeout: Duration) throws -> (received: [[UInt8]], unanswered: Int) {
        var received: [[UInt8]] = []
        var unanswered = 0
        do {
            for pdu in pdus {
                record(TraceFrame(direction: "sent", channel: "ATT", role: role, micros: clock(), hex: Hex.encode(pdu), summary: RawATT.describe(pdu)))
                try client.sendRawATT(pdu)
                guard let opcode = pdu.first, ATTOpcode(rawValue: opcode).kind == .request else { continue }
                let deadline = ContinuousClock.now + timeout
                var answered = false
                while !answered, ContinuousClock.now < deadline {
                    guard let reply = try client.receiveRawATT(timeout: .milliseconds(5)) else { continue }
                    record(TraceFrame(direction: "received", channel: "ATT", role: role, micros: clock(), hex: Hex.encode(reply), summary: RawATT.describe(reply)))
                    received.append(reply)
                    guard let first = reply.first else { continue }
                    switch ATTOpcode(rawValue: first).kind {
                    case .indication: try client.sendRawATT([ATTOpcode.handleValueConfirmation.rawValue])
                    case .response: answered = true
                    default: break
                    }
                }
                if !answered { unanswered += 1 }
            }
        } catch {
            throw LinkLost("the link to the lock closed (\(error))")
        }
        return (received, unanswered)
    }
}

/// Names raw ATT PDUs for traces.
enum RawATT {
    /// `ATT_WRITE_REQ handle 0x0012, 20 octets`, or why the PDU does not decode.
    static func describe(_ pdu: [UInt8]) -> String {
        guard let first = pdu.first else { return "empty PDU" }
        do {
            let decoded = try ATTPDU.decode(pdu)
            return "\(decoded.opcode), \(pdu.count) octets"
        } catch {
            return "\(ATTOpcode(rawValue: first)) (does not decode: \(error))"
        }
    }
}
