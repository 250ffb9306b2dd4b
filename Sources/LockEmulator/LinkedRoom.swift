import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockDriver
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import NukiProfile
import Synchronization

/// Numbers the socket rooms of this process (each gets its own discovery folder).
private let roomCounter = Atomic<Int>(0)

/// A lock and its devices on a virtual clock with the real ATT and GATT layers between them.
///
/// The lock is a ``LockServer`` (its engine behind the Nuki GATT server) whose clock is the room's;
/// each device is a ``GATTClient`` on its own link that exchanges the MTU (247), discovers the Nuki
/// services, enables indications on the three characteristics and then carries the device's writes
/// as ATT Write Requests (long writes when a value exceeds ATT_MTU − 3) and the lock's indications
/// back. Links:
/// - ``Link/socket``: the Unix SOCK_SEQPACKET link, one ATT PDU per datagram, found through a private
///   discovery folder, exactly as `latchkey lock serve` and `latchkey keypad|fob …` talk between
///   processes;
/// - ``Link/inProcess``: the in-process ATT link (``InProcessLink``).
///
/// Everything runs on the caller's thread: after each step the room turns the lock's loop and reads
/// every device link until a whole round moves nothing (``LockDriver/PDUDriver``), so results are
/// deterministic and the same as ``InProcessRoom``'s. Each device's GATT side is a
/// ``LockDriver/NukiGATTCentral``; NFC taps work as in ``InProcessRoom`` (``tap(_:on:relayDelayMilliseconds:)``).
public final class LinkedRoom: LockRoom {
    /// The link between the lock and its devices.
    public enum Link: String, CaseIterable, Sendable {
        case socket
        case inProcess = "in-process"
    }

    /// A link or GATT set-up failure.
    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    final class Box<Value> {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    struct Member {
        var device: InProcessRoom.Device
        var link: any ATTLink
        var central: NukiGATTCentral
        /// The lock's GATT connection id for this device's link.
        var connection: UInt64
        var open = true
    }

    public let link: Link
    /// The lock process's loop, inside this room.
    public let server: LockServer
    private let clock: Box<LockInstant>
    private let serverEvents: Box<[LockServer.Event]>
    private let frontEnd: any LockFrontEnd
    private let folder: String?
    private var members: [String: Member] = [:]
    private var events: [(source: String, event: InProcessRoom.RoomEvent)] = []
    private var field = NFCField()
    private let epoch = ContinuousClock.now

    /// Serves `lock` over `link`.
    /// - Parameters:
    ///   - capture: records every connection's ATT PDUs on the lock's side (btsnoop or pcap), or nil.
    /// - Throws: ``Failure`` when the socket or its discovery folder cannot be made.
    public init(lock: LockSessionEngine, now: LockInstant, link: Link, capture: CaptureWriter? = nil) throws {
        self.link = link
        let clock = Box(now)
        let serverEvents = Box<[LockServer.Event]>([])
        self.clock = clock
        self.serverEvents = serverEvents
        let frontEnd: any LockFrontEnd
        switch link {
        case .socket:
            let path = NSTemporaryDirectory() + "latchkey-room-\(getpid())-\(roomCounter.add(1, ordering: .relaxed).newValue)"
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                let nukiID = lock.machine.nukiID
                guard let address = DeviceAddress(octets: [
                    0x54, 0xD2, 0x72, UInt8(truncatingIfNeeded: nukiID >> 16), UInt8(truncatingIfNeeded: nukiID >> 8), UInt8(truncatingIfNeeded: nukiID),
                ]) else { throw Failure(reason: "no device address for Nuki ID \(nukiID)") }
                frontEnd = try SocketFrontEnd(folder: DiscoveryFolder(path: path), address: address)
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw Failure(reason: "cannot open the socket link in \(path): \(error)")
            }
            folder = path
        case .inProcess:
            frontEnd = InProcessFrontEnd()
            folder = nil
        }
        self.frontEnd = frontEnd
        do {
            server = try LockServer(
                engine: lock, frontEnd: frontEnd, statePath: nil, clock: { clock.value }, capture: capture,
                onEvent: { serverEvents.value.append($0) })
        } catch {
            if let folder { try? FileManager.default.removeItem(atPath: folder) }
            throw Failure(reason: "cannot start the lock: \(error)")
        }
        serverEvents.value.removeAll()
    }

    deinit {
        for member in members.values { member.link.close() }
        server.stop()
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }

    public var now: LockInstant { clock.value }
    public var machine: LockMachine { server.engine.machine }
    private var monotonic: Duration { ContinuousClock.now - epoch }

    public func add(_ name: String, _ device: InProcessRoom.Device) throws {
        members[name] = try connect(device)
    }

    public func reconnect(_ name: String) throws {
        guard let member = members[name] else { return }
        member.link.close()
        // The lock noticing the closed link is part of reconnecting, not an event of the room.
        let before = events.count
        pump()
        events = Array(events.prefix(before)) + events.dropFirst(before).filter { entry in
            if entry.source == name, case .disconnected = entry.event { return false }
            return true
        }
        members[name] = try connect(member.device)
    }

    public func act(_ name: String, _ body: (inout InProcessRoom.Device, LockInstant) -> [PeripheralAction]) {
        guard var member = members[name] else { return }
        let actions = body(&member.device, now)
        members[name] = member
        deliver(actions, from: name)
        pump()
    }

    public func advance(to instant: LockInstant) {
        guard instant > now else { return }
        clock.value = instant
        pump()
        for name in members.keys.sorted() {
            act(name) { device, now in device.tick(at: now) }
        }
    }

    public func withLock(_ body: (inout LockSessionEngine, LockInstant) throws -> [LockSessionEngine.Action]) rethrows {
        try server.perform(body)
        collectServerEvents()
        pump()
    }

    public func drain() -> [(source: String, event: InProcessRoom.RoomEvent)] {
        defer { events = [] }
        return events
    }

    /// Holds `card` to keypad `keypad`'s reader (as ``InProcessRoom/tap(_:on:relayDelayMilliseconds:)``):
    /// the keypad fetches a challenge over its link, the card answers it `relayDelayMilliseconds`
    /// later on the room's clock, and the keypad relays the answer to the lock. The card leaves the
    /// field after.
    public func tap(_ card: InProcessRoom.FieldCard, on keypad: String, relayDelayMilliseconds: Int64 = 0) {
        field.cards[keypad] = (card, relayDelayMilliseconds)
        act(keypad) { device, now in
            guard case .keypad(var k) = device else { return [] }
            defer { device = .keypad(k) }
            return k.cardPresented(at: now)
        }
        field.cards[keypad] = nil
    }

    /// Holds fob `fob`'s NFC card to keypad `keypad`'s reader (``tap(_:on:relayDelayMilliseconds:)``).
    public func tap(fob: String, on keypad: String, relayDelayMilliseconds: Int64 = 0) {
        tap(.fob(fob), on: keypad, relayDelayMilliseconds: relayDelayMilliseconds)
    }

    /// Every card read a keypad made, in order.
    public var cardReads: [NFCCardRead] { field.reads }

    // MARK: Links

    /// Opens a link for `device`, lets the lock accept it and runs the GATT set-up.
    private func connect(_ device: InProcessRoom.Device) throws -> Member {
        let deviceLink: any ATTLink
        do {
            switch frontEnd {
            case let socket as SocketFrontEnd:
                deviceLink = try SeqPacketLink.connect(path: socket.socketPath)
            case let inProcess as InProcessFrontEnd:
                deviceLink = try inProcess.connect()
            default:
                throw Failure(reason: "unknown front end")
            }
        } catch {
            throw Failure(reason: "cannot connect to the lock: \(error)")
        }
        server.step(timeout: .zero)
        let connected = serverEvents.value.compactMap { event -> UInt64? in
            if case .connected(let id) = event { return id }
            return nil
        }
        guard let connection = connected.last else {
            deviceLink.close()
            throw Failure(reason: "the lock did not accept the connection")
        }
        collectServerEvents()
        var central = NukiGATTCentral()
        do {
            try central.setUp(
                clock: { monotonic }, send: { try deviceLink.send($0) },
                next: {
                    if let pdu = try deviceLink.receive(timeout: .zero) { return pdu }
                    server.step(timeout: .zero)
                    collectServerEvents()
                    return try deviceLink.receive(timeout: .zero)
                })
        } catch {
            deviceLink.close()
            throw Failure(reason: "\(error)")
        }
        return Member(device: device, link: deviceLink, central: central, connection: connection)
    }

    // MARK: Delivery

    /// Hands the device's actions to its GATT client: feedback is collected, writes go out as ATT
    /// Write Requests (or prepared writes when long).
    private func deliver(_ actions: [PeripheralAction], from name: String) {
        for action in actions {
            switch action {
            case .feedback(let feedback):
                events.append((name, .feedback(feedback)))
            case .write(let which, let bytes):
                guard var member = members[name], member.open, let written = try? member.central.write(bytes, to: which, at: monotonic) else {
                    continue
                }
                send(written.sends, on: &member)
                members[name] = member
            case .readCard(let challenge):
                let (result, delay) = field.read(for: name, challenge: challenge) { fobName, body in
                    guard var fob = members[fobName], case .fob(var device) = fob.device else { return }
                    body(&device)
                    fob.device = .fob(device)
                    members[fobName] = fob
                }
                clock.value = clock.value.adding(milliseconds: delay)
                guard var member = members[name], case .keypad(var keypad) = member.device else { continue }
                let out = keypad.cardRead(result, at: now)
                member.device = .keypad(keypad)
                members[name] = member
                deliver(out, from: name)
            }
        }
    }

    /// Turns the lock's loop and reads every device link until a whole round moves nothing.
    private func pump() {
        do {
            try PDUDriver.run("the room's links") {
                var activity = server.step(timeout: .zero)
                collectServerEvents()
                for name in members.keys.sorted() where members[name]?.open == true {
                    activity = receive(name) || activity
                }
                return activity
            }
        } catch {
            events.append(("room", .notQuiet(error)))
        }
    }

    /// Reads everything waiting on `name`'s link; returns whether anything arrived.
    private func receive(_ name: String) -> Bool {
        var arrived = false
        while var member = members[name], member.open {
            let pdu: [UInt8]?
            do {
                pdu = try member.link.receive(timeout: .zero)
            } catch {
                member.open = false
                members[name] = member
                return arrived
            }
            guard let pdu else { break }
            arrived = true
            let received = member.central.receive(pdu, at: monotonic)
            send(received.sends, on: &member)
            var produced: [PeripheralAction] = []
            for (which, value) in received.indications { produced += member.device.receive(value, on: which, at: now) }
            members[name] = member
            deliver(produced, from: name)
        }
        return arrived
    }

    private func send(_ pdus: [[UInt8]], on member: inout Member) {
        for octets in pdus where member.open {
            if (try? member.link.send(octets)) == nil { member.open = false }
        }
    }

    /// Moves the lock's events into the room's, named after the device of their connection.
    private func collectServerEvents() {
        let pending = serverEvents.value
        serverEvents.value.removeAll()
        for event in pending {
            switch event {
            case .lock(let lockEvent):
                events.append(("lock", .lock(lockEvent)))
            case .refused(let id, let code, let command, let reason):
                events.append((name(of: id), .refused(code, command: command, reason: reason)))
            case .disconnected(let id, let reason):
                let who = name(of: id)
                if var member = members[who], member.connection == id {
                    member.open = false
                    members[who] = member
                }
                events.append((who, .disconnected(reason: reason)))
            case .connected, .listening, .storageFailed, .storageRecovered, .storageWarning:
                break
            }
        }
    }

    private func name(of connection: UInt64) -> String {
        members.first { $0.value.connection == connection }?.key ?? "?"
    }
}
