import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockDriver
import LockEmulator
import LockSession
import LockWire
import NukiProfile

/// A lock that lies to its clients, as a server (`latchkey lock serve --hostile`, `latchkey
/// fuzz-client`; issue 14 item 5). A real ``LockSession/LockSessionEngine`` behind the Nuki GATT
/// server (``LockDriver/NukiGATTServer``, the GATT half it shares with ``LockDriver/LockGATTPeripheral``),
/// served through any ``LockEmulator/LockFrontEnd`` (the
/// socket link and its discovery folder, or BlueZ), with every Nuki message it sends passed
/// through ``plan`` first. Pairing, challenges and commands run for real; the state lives only in
/// memory, and ``reset(plan:)`` puts the lock back as it was made (in pairing mode) for the next
/// client run.
///
/// It is not ``LockEmulator/LockServer``: one thread, no persistence, no fairness or rate limits,
/// every connection read on every ``step(timeout:)``. Its clock is the monotonic clock anchored to
/// the wall clock; its randomness (keys, challenges, the nonces of re-sealed replies, random
/// mutations) comes from the seeded sources it is given, so a plan is reproduced by its seed.
///
/// Every Nuki message the lock sends and every value a client writes is kept in ``transcript``.
public final class HostileLockServer {
    /// One line of the transcript: a message of the lock (with the fault applied to it, if any) or a
    /// value a client wrote.
    public struct Entry: Sendable, Hashable, Codable {
        /// `lock` (the lock sent it) or `client` (a client wrote it).
        public var from: String
        /// The lock's message number in the run (lock messages only).
        public var message: Int?
        /// The GATT connection (from 1 in each run).
        public var connection: UInt64
        /// `pairingGDIO`, `keyturnerGDIO` or `keyturnerUSDIO`; `advertising` and `scanResponse` for
        /// the AD bytes of an advertising plan (connection 0; `confirmed` once a client connected).
        public var characteristic: String
        /// The command as made (before a fault), when it could be read (encrypted values are opened
        /// with the lock's keys).
        public var command: String?
        /// What the fault changed, or nil when the bytes went out as made.
        public var fault: String?
        /// Whether a correct client must refuse this message (lock messages with a fault only).
        public var mustRefuse: Bool?
        /// The bytes as sent or written, hex.
        public var hex: String
        /// Milliseconds since the run started.
        public var milliseconds: Int64
        /// Whether the client confirmed every indication of this message (ATT Handle Value
        /// Confirmation, Core Vol 3 Part F §3.4.7.3): it reached the client's GATT layer whole. A
        /// client whose ATT layer drops it (an indication past ATT_MTU − 3) never confirms it.
        public var confirmed: Bool?

        public init(
            from: String, message: Int?, connection: UInt64, characteristic: String, command: String?, fault: String?, mustRefuse: Bool?,
            hex: String, milliseconds: Int64, confirmed: Bool? = nil
        ) {
            self.confirmed = confirmed
            self.from = from
            self.message = message
            self.connection = connection
            self.characteristic = characteristic
            self.command = command
            self.fault = fault
            self.mustRefuse = mustRefuse
            self.hex = hex
            self.milliseconds = milliseconds
        }
    }

    final class Peer {
        let id: GATTConnectionID
        let link: any ATTLink
        /// Raw indications (``HostileFault/oversize(_:)``) whose confirmation GATT must not see, by
        /// transcript index.
        var rawOutstanding: [Int] = []
        /// Transcript indexes of the messages given to GATT, one per ``GATTServer/indicate(_:on:to:at:)``
        /// call (nil for a chunk that is not a message's last), in order of confirmation.
        var awaiting: [Int?] = []
        init(id: GATTConnectionID, link: any ATTLink) {
            self.id = id
            self.link = link
        }
    }

    /// The lock as it is now.
    public private(set) var engine: LockSessionEngine
    let pristine: LockSessionEngine
    /// The Nuki GATT server (the lock-side GATT glue shared with ``LockDriver/LockGATTPeripheral``).
    var server: NukiGATTServer
    var profile: NukiGATTProfile { server.profile }
    let frontEnd: any LockFrontEnd
    var peers: [UInt64: Peer] = [:]
    /// How the lock misbehaves in this run.
    public private(set) var plan: HostilePlan
    /// What happened in this run.
    public private(set) var transcript: [Entry] = []
    /// The lock's messages of this run as made (before faults), for ``HostilePlan/random(_:profile:)``.
    public private(set) var messages = MessageProfile(messages: [])
    var stickyCommand: Command?
    var random: any RandomSource
    let clock: @Sendable () -> LockInstant
    var runStart = ContinuousClock.now
    let epoch = ContinuousClock.now

    /// - Parameters:
    ///   - engine: the lock as every run starts it (it is put in pairing mode at each reset).
    ///   - frontEnd: where clients reach it.
    ///   - plan: the first run's plan.
    ///   - random: the nonces of re-sealed replies and the random mutations.
    ///   - clock: the lock's notion of now.
    /// - Throws: the front end's error when the advertising cannot be published.
    ///   - localName: the scan response's name (nil: `Nuki_XXXXXXXX`).
    public init(
        engine: LockSessionEngine, frontEnd: any LockFrontEnd, plan: HostilePlan, random: any RandomSource,
        clock: @escaping @Sendable () -> LockInstant = LockTimebase.live(), localName: String? = nil
    ) throws {
        self.localName = localName
        self.pristine = engine
        self.engine = engine
        self.frontEnd = frontEnd
        self.plan = plan
        self.random = random
        self.clock = clock
        let nukiID = engine.machine.nukiID
        server = NukiGATTServer(
            profile: NukiGATTProfile(
                nukiID: nukiID, firmwareRevision: engine.machine.model.firmwareVersion.description,
                hardwareRevision: engine.machine.model.hardwareRevision.description, deviceName: localName))
        reset(plan: plan, random: random)
        try publishAdvertising()
    }

    /// The scan response's name (nil: `Nuki_XXXXXXXX`).
    let localName: String?
    /// What is advertised now: nil honest, else the mutation (and the flapping bit).
    var advertised: AdvertisingMutation?
    var flap = false
    var lastFlap = ContinuousClock.now

    /// Publishes the advertising the plan asks for: honest (pairing mode), or the plan's
    /// ``AdvertisingMutation`` as raw AD bytes. Throws the front end's error.
    func publishAdvertising() throws {
        let nukiID = engine.machine.nukiID
        if case .advertising(let mutation) = plan.fault {
            let (data, response) = mutation.bytes(nukiID: nukiID, localName: localName, flap: flap)
            try frontEnd.advertise(advertisingData: data, scanResponse: response)
            advertised = mutation
        } else {
            try frontEnd.advertise(NukiAdvertisement(nukiID: nukiID, mode: .pairing(service: NukiUUIDs.pairingService), localName: localName))
            advertised = nil
        }
    }

    /// Republishes when the plan's advertising differs from what is published, and records an
    /// advertising plan in the transcript (`advertising`: the AD bytes, with whether a correct
    /// client must refuse them, confirmed once a client connects; `scanResponse`).
    func applyAdvertisingPlan() {
        var wanted: AdvertisingMutation?
        if case .advertising(let mutation) = plan.fault { wanted = mutation }
        if wanted != advertised || wanted == nil { try? publishAdvertising() }
        guard let wanted else { return }
        let (data, response) = wanted.bytes(nukiID: engine.machine.nukiID, localName: localName, flap: flap)
        record(from: "lock", message: nil, connection: 0, channel: "advertising", command: nil, fault: wanted.label,
            mustRefuse: wanted.mustRefuse(nukiID: engine.machine.nukiID), data)
        transcript[transcript.count - 1].confirmed = false
        record(from: "lock", message: nil, connection: 0, channel: "scanResponse", command: nil, fault: nil, mustRefuse: nil, response)
    }

    /// A new lock for a hostile server: a Smart Lock 3.0 with `nukiID` and security PIN `pin`,
    /// named "Latchkey", its clock set to `now`, keys and UUID from `random`, motor runs without
    /// delay (each lock action completes in the step that starts it).
    /// - Throws: ``LockCrypto/CryptoError`` when no key pair can be made; `LockError` when the
    ///   clock cannot be set.
    public static func makeLock(nukiID: UInt32, pin: UInt16, random: any RandomSource, now: LockInstant) throws -> LockSessionEngine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var machine = LockMachine(
            model: model, nukiID: nukiID, settings: LockSettings(name: FixedName("Latchkey", width: FixedName.nameWidth)),
            securityPIN: .u16(pin))
        try machine.setClock(to: now.utcDateTime, at: now)
        return LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: random),
            lockUUID: LockUUID(random.bytes(count: LockUUID.byteCount)) ?? .zero, random: random)
    }

    /// Closes every connection and starts a new run: the lock as made, in pairing mode, `plan`
    /// applied from now on, the transcript empty, `random` for this run's faults.
    public func reset(plan: HostilePlan, random: any RandomSource) {
        for peer in peers.values { peer.link.close() }
        peers.removeAll()
        server = NukiGATTServer(profile: server.profile)
        engine = pristine
        self.plan = plan
        self.random = random
        transcript.removeAll()
        messages = MessageProfile(messages: [])
        stickyCommand = nil
        acceptedInRun = 0
        runStart = ContinuousClock.now
        _ = engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: clock())
        if advertised != nil || plan.fault.isAdvertising { applyAdvertisingPlan() }
    }

    /// Changes the plan within a run (`lock serve --hostile fuzz` draws one per connection; an
    /// advertising plan is published at once, for the next scan).
    public func replan(_ plan: HostilePlan) {
        self.plan = plan
        stickyCommand = nil
        if advertised != nil || plan.fault.isAdvertising { applyAdvertisingPlan() }
    }

    /// Holds the lock's button for 5 s: pairing mode (`latchkey lock press-button`, SIGUSR1).
    public func pressButton() {
        route(engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: clock()))
    }

    /// Withdraws the advertising and closes every connection.
    public func stop() {
        for peer in peers.values { peer.link.close() }
        peers.removeAll()
        frontEnd.stop()
    }

    /// Open connections.
    public var connectionCount: Int { peers.count }

    /// Connections accepted in this run so far.
    public private(set) var acceptedInRun = 0

    // MARK: The loop

    /// One turn: accepts a waiting connection (waiting up to `timeout` when nothing else is to do),
    /// reads every connection, runs the lock's timers and GATT's timeout.
    /// - Returns: whether anything arrived.
    @discardableResult
    public func step(timeout: Duration = .milliseconds(5)) -> Bool {
        var activity = false
        let mono = ContinuousClock.now - epoch
        if let link = try? frontEnd.accept(timeout: peers.isEmpty ? timeout : .zero) {
            activity = true
            let id = server.connect()
            peers[id.rawValue] = Peer(id: id, link: link)
            acceptedInRun += 1
            _ = engine.connect(ConnectionID(id.rawValue))
            // The client connected: it took the advertising.
            for index in transcript.indices where transcript[index].characteristic == "advertising" { transcript[index].confirmed = true }
        }
        if advertised == .stateChangedFlapping, ContinuousClock.now - lastFlap >= .milliseconds(20) {
            flap.toggle()
            lastFlap = ContinuousClock.now
            try? publishAdvertising()
        }
        for key in peers.keys.sorted() {
            guard let peer = peers[key] else { continue }
            while true {
                let pdu: [UInt8]?
                do {
                    pdu = try peer.link.receive(timeout: .zero)
                } catch {
                    drop(peer)
                    break
                }
                guard let pdu else { break }
                activity = true
                process(pdu, from: peer, at: mono)
                if peers[key] == nil { break }
            }
        }
        route(engine.advance(to: clock()))
        handle(server.tick(now: mono))
        if !activity, !peers.isEmpty { Thread.sleep(forTimeInterval: min(0.002, Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)) }
        return activity
    }

    func drop(_ peer: Peer) {
        guard peers.removeValue(forKey: peer.id.rawValue) != nil else { return }
        peer.link.close()
        server.disconnect(peer.id)
        engine.disconnect(ConnectionID(peer.id.rawValue))
    }

    func process(_ pdu: [UInt8], from peer: Peer, at mono: Duration) {
        // Exchange MTU Request (opcode 0x02), answered by the plan instead of GATT.
        if pdu.first == ATTOpcode.exchangeMTURequest.rawValue {
            switch plan.fault {
            case .mtuRefused:
                send([0x01, 0x02, 0x00, 0x00, 0x06], to: peer)
                return
            case .mtuMinimum:
                send([0x03, 23, 0], to: peer)
                return
            default:
                break
            }
        }
        if pdu == [0x1E], !peer.rawOutstanding.isEmpty, server.gatt.pendingIndications(on: peer.id) == 0 {
            let index = peer.rawOutstanding.removeFirst()
            if transcript.indices.contains(index) { transcript[index].confirmed = true }
            return
        }
        do {
            handle(try server.receive(pdu, from: peer.id, at: mono))
        } catch {
            drop(peer)
        }
    }

    func handle(_ events: [NukiGATTServer.Event]) {
        for event in events {
            if case .send(let id, let octets) = event, let peer = peers[id.rawValue] { send(octets, to: peer) }
        }
        for event in events {
            switch event {
            case .written(let id, let which, let value):
                record(from: "client", message: nil, connection: id.rawValue, which, command: command(of: value, on: which), fault: nil, mustRefuse: nil, value)
                route(engine.receive(value, on: which, from: ConnectionID(id.rawValue), at: clock()))
            case .indicationTimeout(let id):
                if let peer = peers[id.rawValue] { drop(peer) }
            case .indicationConfirmed(let id):
                guard let peer = peers[id.rawValue], !peer.awaiting.isEmpty else { continue }
                if let index = peer.awaiting.removeFirst(), transcript.indices.contains(index) { transcript[index].confirmed = true }
            case .send, .mtuChanged:
                continue
            }
        }
    }

    func route(_ actions: [LockSessionEngine.Action]) {
        for action in actions {
            switch action {
            case .indicate(let connection, let which, let bytes):
                guard let peer = peers[connection.rawValue] else { continue }
                outgoing(bytes, on: which, to: peer)
            case .disconnect(let connection, _):
                if let peer = peers[connection.rawValue] { drop(peer) }
            case .event, .refused:
                continue
            }
        }
    }

    // MARK: Faults

    /// One whole message of the engine: counted, changed per plan, recorded and indicated.
    func outgoing(_ bytes: [UInt8], on which: Characteristic, to peer: Peer) {
        let channel: ReplyMutation.Channel = which == .keyturnerUSDIO ? .encrypted : .plain
        let index = messages.messages.count
        let original = open(bytes, channel: channel)
        messages.messages.append(.init(channel: channel, command: original?.command.rawValue ?? 0xFFFF, payloadBytes: original?.payload.count ?? 0))
        var out = bytes
        var label: String?
        var mustRefuse: Bool?
        var raw = false
        let skip = plan.fault == .randomMutations && channel == .plain
        if !skip, !plan.fault.isGATTBehaviour, !plan.fault.isAdvertising, applies(index: index, command: original?.command) {
            var fault = plan.fault
            if fault == .randomMutations {
                var draw = Draw(random)
                fault = .mutation(HostilePlan.mutation(&draw, payloadBytes: original?.payload.count ?? 0))
            }
            if let changed = apply(fault, to: bytes, channel: channel) {
                out = changed
                label = fault.label
                if case .mutation(let mutation) = fault, let original {
                    mustRefuse = mutation.mustRefuse(original: (original.command, original.payload), channel: channel)
                } else {
                    mustRefuse = true
                }
                if case .oversize = fault { raw = true }
            }
        }
        record(from: "lock", message: index, connection: peer.id.rawValue, which, command: original?.command, fault: label, mustRefuse: mustRefuse, out)
        let entry = transcript.count - 1
        transcript[entry].confirmed = false
        let mono = ContinuousClock.now - epoch
        if raw {
            let value = Array(out.prefix(peer.link.maximumPDUSize - 3))
            let handle = profile.characteristic(which).valueHandle
            send([0x1D, UInt8(truncatingIfNeeded: handle), UInt8(truncatingIfNeeded: handle >> 8)] + value, to: peer)
            peer.rawOutstanding.append(entry)
            return
        }
        var chunks = [out]
        if case .split(let sizes) = plan.fault, index >= plan.message, !sizes.isEmpty {
            let most = max(1, (server.gatt.mtu(of: peer.id) ?? ATTLimits.defaultMTU) - 3)
            chunks = []
            var start = 0
            var turn = 0
            while start < out.count {
                let size = min(max(1, sizes[turn % sizes.count]), most)
                chunks.append(Array(out[start..<min(out.count, start + size)]))
                start += size
                turn += 1
            }
        }
        for (number, chunk) in chunks.enumerated() {
            do {
                peer.awaiting.append(number == chunks.count - 1 ? entry : nil)
                handle(try server.indicate(chunk, on: which, to: peer.id, at: mono))
            } catch {
                // Indications not enabled there: nothing to send it on.
                peer.awaiting.removeLast()
            }
        }
    }

    /// Whether the plan's message fault applies to message `index` with original `command`.
    func applies(index: Int, command: Command?) -> Bool {
        guard plan.fault != .honest, index >= plan.message else { return false }
        if index == plan.message {
            stickyCommand = command
            return true
        }
        switch plan.scope {
        case .every: return true
        case .sameCommand: return command != nil && command == stickyCommand
        }
    }

    /// `bytes` changed by `fault`, or nil when it does not apply to this message (a frame mode on a
    /// plain message) or cannot be made (the frame does not open).
    func apply(_ fault: HostileFault, to bytes: [UInt8], channel: ReplyMutation.Channel) -> [UInt8]? {
        switch channel {
        case .plain:
            guard case .mutation(let mutation) = fault else { return nil }
            return mutation.apply(toPlain: bytes)
        case .encrypted:
            guard let mode = fault.engineMode else { return nil }
            let engine = self.engine
            return HostileLockEngine.corrupt(bytes, mode: mode, random: random) { engine.sharedKey(for: $0) }
        }
    }

    /// The command and payload of a whole message, plain or opened with the lock's keys.
    func open(_ bytes: [UInt8], channel: ReplyMutation.Channel) -> (command: Command, payload: [UInt8])? {
        switch channel {
        case .plain:
            guard let frame = try? PlainFrame.decode(bytes) else { return nil }
            return (frame.command, frame.payload)
        case .encrypted:
            let engine = self.engine
            guard let plain = try? EncryptedMessageCodec.open(bytes, key: { engine.sharedKey(for: $0) }) else { return nil }
            return (plain.command, plain.payload)
        }
    }

    func command(of value: [UInt8], on which: Characteristic) -> Command? {
        open(value, channel: which == .keyturnerUSDIO ? .encrypted : .plain)?.command
    }

    func record(
        from: String, message: Int?, connection: UInt64, _ which: Characteristic, command: Command?, fault: String?, mustRefuse: Bool?,
        _ bytes: [UInt8]
    ) {
        record(from: from, message: message, connection: connection, channel: which.rawValue, command: command?.description, fault: fault,
            mustRefuse: mustRefuse, bytes)
    }

    func record(from: String, message: Int?, connection: UInt64, channel: String, command: String?, fault: String?, mustRefuse: Bool?, _ bytes: [UInt8]) {
        let elapsed = ContinuousClock.now - runStart
        transcript.append(Entry(
            from: from, message: message, connection: connection, characteristic: channel, command: command,
            fault: fault, mustRefuse: mustRefuse, hex: Hex.encode(bytes),
            milliseconds: elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
    }

    func send(_ pdu: [UInt8], to peer: Peer) {
        do {
            try peer.link.send(pdu)
        } catch {
            drop(peer)
        }
    }
}
