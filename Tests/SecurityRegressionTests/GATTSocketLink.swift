import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockDriver
import LockSession
import LockWire
import NukiProfile
import Synchronization
import Testing

@testable import LockEmulator

/// Numbers the socket links of this process (each gets its own discovery folder).
private let linkCounter = Atomic<Int>(0)

/// How the security cases reach the lock (`Bench(transport:)`).
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Each write handed to ``LockSession/LockSessionEngine/receive(_:on:from:at:)`` as it is (``EngineLink``).
    case engine
    /// ATT over the Unix SOCK_SEQPACKET socket link to a ``LockEmulator/LockServer`` (``GATTSocketLink``).
    case gattSocket = "gatt-socket"

    var testDescription: String { rawValue }
}

/// The lock behind its Nuki GATT server on the socket link, as `latchkey lock serve` runs it: a
/// ``LockEmulator/LockServer`` on a private discovery folder, on the bench's virtual clock, its loop
/// turned on the test's own thread. Each bench connection is a real `SOCK_SEQPACKET` connection with
/// a ``BLEGATT/GATTClient`` that exchanges the MTU (247), discovers the Nuki services, enables
/// indications on the three characteristics and then sends every attack frame as an ATT Write
/// Request to the characteristic's discovered value handle (a Prepare/Execute Write when longer
/// than ATT_MTU − 3).
///
/// A write's result is what crossed the wire back, in the engine's vocabulary: every indication the
/// client received (confirmed by its GATT client), joined into whole messages per characteristic
/// with ``LockWire/FragmentReassembler``, as `.indicate` on the bench's connection id; and what the
/// lock reported on its event stream (`.event`, `.refused`). So `Bench.plainErrors` and
/// `Bench.encryptedErrors` read the Error Reports the client really got.
///
/// Timers (`advance`) and the button run on the lock's loop through ``LockEmulator/LockServer/perform(_:)``;
/// their indications are read off the links and dropped (the engine's own actions are returned, with
/// the lock's connection ids turned into the bench's), so that no late indication is taken for the
/// answer to the next write.
final class GATTSocketLink: LockLink {
    final class Box<Value> {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    struct Client {
        var link: any ATTLink
        var gatt = GATTClient()
        var handles: [Characteristic: UInt16] = [:]
        /// The lock's id for this connection.
        var serverID: UInt64
        var reassemblers: [Characteristic: FragmentReassembler] = [
            .pairingGDIO: FragmentReassembler(framing: .plain), .keyturnerGDIO: FragmentReassembler(framing: .plain),
            .keyturnerUSDIO: FragmentReassembler(framing: .encrypted),
        ]
        /// Whole messages received since the last write began.
        var received: [(Characteristic, [UInt8])] = []
        /// GATT procedures that failed (an ATT Error Response, a timeout).
        var failures: [GATTError] = []
        var open = true
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let server: LockServer
    private let clock: Box<LockInstant>
    private let serverEvents: Box<[LockServer.Event]>
    private let frontEnd: SocketFrontEnd
    private let folder: String
    private var clients: [ConnectionID: Client] = [:]
    private let epoch = ContinuousClock.now

    init(engine: LockSessionEngine, now: LockInstant) throws {
        folder = NSTemporaryDirectory() + "latchkey-security-\(getpid())-\(linkCounter.add(1, ordering: .relaxed).newValue)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let nukiID = engine.machine.nukiID
        guard let address = DeviceAddress(octets: [
            0x54, 0xD2, 0x72, UInt8(truncatingIfNeeded: nukiID >> 16), UInt8(truncatingIfNeeded: nukiID >> 8), UInt8(truncatingIfNeeded: nukiID),
        ]) else { throw Failure(description: "no device address for Nuki ID \(nukiID)") }
        frontEnd = try SocketFrontEnd(folder: DiscoveryFolder(path: folder), address: address)
        let clock = Box(now)
        let serverEvents = Box<[LockServer.Event]>([])
        self.clock = clock
        self.serverEvents = serverEvents
        server = try LockServer(
            engine: engine, frontEnd: frontEnd, statePath: nil, clock: { clock.value }, capture: nil,
            onEvent: { serverEvents.value.append($0) })
        serverEvents.value.removeAll()
    }

    deinit {
        for client in clients.values { client.link.close() }
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private var monotonic: Duration { ContinuousClock.now - epoch }

    /// The lock's engine; setting it (test set-up only) replaces it inside the running loop.
    var engine: LockSessionEngine {
        get { server.engine }
        set {
            server.perform { engine, _ in
                engine = newValue
                return []
            }
            _ = pump()
        }
    }

    /// GATT failures of `id`'s client so far (for a case's diagnostics).
    func gattFailures(_ id: ConnectionID) -> [GATTError] { clients[id]?.failures ?? [] }

    func connect(_ id: ConnectionID) {
        do {
            clients[id] = try open()
        } catch {
            Issue.record("GATT connection \(id.rawValue) to the lock failed: \(error)")
        }
    }

    func disconnect(_ id: ConnectionID) {
        guard let client = clients.removeValue(forKey: id) else { return }
        client.link.close()
        _ = pump()
    }

    func write(_ bytes: [UInt8], on characteristic: Characteristic, from id: ConnectionID, at now: LockInstant) -> [LockSessionEngine.Action] {
        if now > clock.value { clock.value = now }
        guard var client = clients[id], client.open, let handle = client.handles[characteristic] else {
            Issue.record("no open GATT connection \(id.rawValue) with a handle for \(characteristic)")
            return []
        }
        client.received.removeAll()
        clients[id] = client
        if bytes.count > ATTLimits.maximumAttributeValue {
            // Longer than any attribute value: the GATT client refuses it locally, so it goes out raw.
            rawLongWrite(bytes, handle: handle, from: id)
        } else {
            absorb(client.gatt.perform(.write(handle: handle, value: bytes), at: monotonic), of: id)
        }
        let events = pump()
        var actions = translate(events)
        for (which, message) in clients[id]?.received ?? [] { actions.append(.indicate(id, which, message)) }
        clients[id]?.received.removeAll()
        return actions
    }

    func advance(to now: LockInstant) -> [LockSessionEngine.Action] {
        if now > clock.value { clock.value = now }
        return onTheLoop { engine, now in engine.advance(to: now) }
    }

    func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [LockSessionEngine.Action] {
        if now > clock.value { clock.value = now }
        return onTheLoop { engine, now in engine.pressButton(heldMilliseconds: heldMilliseconds, at: now) }
    }

    // MARK: Driving

    /// Runs `body` on the loop's engine; returns its actions with the bench's connection ids, and
    /// drops what the clients receive because of them.
    private func onTheLoop(_ body: (inout LockSessionEngine, LockInstant) -> [LockSessionEngine.Action]) -> [LockSessionEngine.Action] {
        var produced: [LockSessionEngine.Action] = []
        server.perform { engine, now in
            produced = body(&engine, now)
            return produced
        }
        _ = pump()
        for id in clients.keys { clients[id]?.received.removeAll() }
        serverEvents.value.removeAll()
        return produced.map { action in
            if case .indicate(let server, let which, let bytes) = action, let id = benchID(server.rawValue) { return .indicate(id, which, bytes) }
            return action
        }
    }

    /// Opens a connection, lets the lock accept it and runs the GATT set-up.
    private func open() throws -> Client {
        let link = try SeqPacketLink.connect(path: frontEnd.socketPath)
        server.step(timeout: .zero)
        let accepted = serverEvents.value.compactMap { event -> UInt64? in
            if case .connected(let id) = event { return id }
            return nil
        }
        serverEvents.value.removeAll()
        guard let serverID = accepted.last else {
            link.close()
            throw Failure(description: "the lock did not accept the connection")
        }
        var client = Client(link: link, serverID: serverID)
        // The shared set-up (``LockDriver/NukiGATTCentral``, its rounds on ``LockDriver/PDUDriver``):
        // each round turns the lock's loop once and reads one PDU, if any came.
        var central = NukiGATTCentral()
        let epoch = self.epoch
        try central.setUp(
            clock: { ContinuousClock.now - epoch }, send: { try link.send($0) },
            next: {
                self.server.step(timeout: .zero)
                return try link.receive(timeout: .zero)
            })
        client.gatt = central.gatt
        client.handles = central.handles
        serverEvents.value.removeAll()
        return client
    }

    /// A long write sent as raw ATT PDUs (Core Vol 3 Part F §3.4.6): Prepare Write Requests of
    /// ATT_MTU − 5 octets at increasing offsets, then Execute Write Request 0x01, each waited for. An
    /// Error Response is kept in the client's failures; after a refused Prepare Write the queue is
    /// cancelled (Execute Write 0x00).
    private func rawLongWrite(_ bytes: [UInt8], handle: UInt16, from id: ConnectionID) {
        guard var client = clients[id] else { return }
        func le(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
        func exchange(_ pdu: [UInt8]) -> [UInt8]? {
            guard (try? client.link.send(pdu)) != nil else { return nil }
            var answer: [UInt8]?
            // Until the answer comes, at most 1,000 turns of the lock's loop (then: no answer).
            _ = try? PDUDriver.run("raw long write", limit: 1_000) {
                server.step(timeout: .zero)
                answer = try? client.link.receive(timeout: .zero)
                return answer == nil
            }
            return answer
        }
        let chunk = max(1, client.gatt.mtu - 5)
        var pdus: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let part = Array(bytes[offset..<min(bytes.count, offset + chunk)])
            pdus.append([0x16] + le(Int(handle)) + le(offset) + part)
            offset += part.count
        }
        pdus.append([0x18, 0x01])
        for pdu in pdus {
            guard let answer = exchange(pdu) else { break }
            guard answer.count == 5, answer[0] == 0x01 else { continue }
            let response = ATTErrorResponse(
                requestOpcode: ATTOpcode(rawValue: answer[1]), handle: UInt16(answer[2]) | UInt16(answer[3]) << 8,
                error: ATTErrorCode(rawValue: answer[4]))
            client.failures.append(GATTError(.errorResponse, "raw long write: \(response)", errorResponse: response))
            if answer[1] == 0x16 { _ = exchange([0x18, 0x00]) }
            break
        }
        clients[id]?.failures = client.failures
    }

    /// Sends what the GATT client asks to send, joins indications into messages, keeps failures.
    private func absorb(_ events: [GATTClient.Event], of id: ConnectionID) {
        guard var client = clients[id] else { return }
        for event in events {
            switch event {
            case .send(let octets):
                if (try? client.link.send(octets)) == nil { client.open = false }
            case .indication(let handle, let value):
                guard let which = client.handles.first(where: { $0.value == handle })?.key else { continue }
                do {
                    for message in try client.reassemblers[which, default: FragmentReassembler(framing: .plain)].append(value) {
                        client.received.append((which, message))
                    }
                } catch {
                    client.received.append((which, value))  // not a message: handed on as it came
                    client.reassemblers[which]?.reset()
                }
            case .failed(_, let error):
                client.failures.append(error)
            default:
                break
            }
        }
        clients[id] = client
    }

    /// Turns the lock's loop and reads every client until a whole round moves nothing
    /// (``LockDriver/PDUDriver``; a conversation still moving at its round cap is recorded as an
    /// issue); returns the lock's events meanwhile.
    private func pump() -> [LockServer.Event] {
        var events: [LockServer.Event] = []
        do {
            try PDUDriver.run("the socket link's pump") { round(into: &events) }
        } catch {
            Issue.record("\(error)")
        }
        return events
    }

    /// One round of ``pump()``: the lock's loop turned once, every client's link read.
    /// - Returns: whether anything moved.
    private func round(into events: inout [LockServer.Event]) -> Bool {
        var activity = server.step(timeout: .zero)
        events += serverEvents.value
        serverEvents.value.removeAll()
        for id in clients.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            while let client = clients[id], client.open {
                let pdu: [UInt8]?
                do {
                    pdu = try client.link.receive(timeout: .zero)
                } catch {
                    clients[id]?.open = false
                    break
                }
                guard let pdu else { break }
                activity = true
                var gatt = client.gatt
                let produced = gatt.receive(pdu, at: monotonic)
                clients[id]?.gatt = gatt
                absorb(produced, of: id)
            }
        }
        return activity
    }

    /// The lock's events as engine actions on the bench's connection ids.
    private func translate(_ events: [LockServer.Event]) -> [LockSessionEngine.Action] {
        events.compactMap { event in
            switch event {
            case .lock(let lockEvent): return .event(lockEvent)
            case .refused(let server, let code, let command, let reason):
                return .refused(benchID(server) ?? ConnectionID(0), code, command: command, reason: reason)
            default: return nil
            }
        }
    }

    private func benchID(_ server: UInt64) -> ConnectionID? {
        clients.first { $0.value.serverID == server }?.key
    }
}
