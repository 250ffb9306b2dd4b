import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockDriver
import LockHost
import LockSession
import LockWire
import NukiProfile
import Synchronization

/// The emulated lock as a process: its protocol engine behind the Nuki GATT server, served over a
/// ``LockFrontEnd`` (the Unix SOCK_SEQPACKET link and discovery folder, or BlueZ), its state in a
/// state file.
///
/// **One thread, one event loop.** Each ``step(timeout:)`` is one turn:
/// 1. *Wait* in one `epoll(7)` call over the listener, every link and a doorbell, for at most the
///    time to the lock's next timer (``LockCore/LockMachine/nextDeadline``), the next re-admission
///    of a throttled connection, or `timeout`. Links without a descriptor (the in-process link) and
///    front ends without one (BlueZ) are polled instead, with waits capped at 5 ms.
/// 2. *Accept* up to ``Limits/acceptsPerTurn`` connections. Past ``Limits/maxConnections`` the
///    unauthenticated connection idle the longest is evicted, among those older than
///    ``Limits/setUpGrace`` (a paired client setting up is never evicted for newcomers); when there
///    is none (every connection authenticated or still setting up) the newcomer is closed instead.
/// 3. *Timers*: the button (``requestButtonPress()``), motor steps, auto lock, time control.
/// 4. *Read* every ready connection, at most ``Limits/pdusPerTurn`` PDUs each (round robin: one
///    busy client cannot starve the others). Connections not yet authenticated are rate-limited
///    per connection and together (``Limits/unauthenticatedPerConnection``,
///    ``Limits/unauthenticatedTotal``); past their budget they are not read (the kernel buffers and
///    then pushes back) until it refills.
/// 5. *Commit* (group commit, write-ahead): when the turn changed the lock's persisted state, the
///    store saves it **once** for all of the turn's writes, durably (``LockHost/LockStateJournal``
///    for `lock serve`: one record and one `fdatasync`), **before** anything the turn produced is
///    sent. Nothing is held back for a turn that changed nothing (reads,
///    refusals that log nothing). When the save fails, the turn is rolled back and its writes are
///    run again one by one, each saved on its own; a write whose save fails is undone and answered
///    with an Error Report (``LockSession/LockSessionEngine/refuseUnpersisted(_:on:from:)``), and
///    ``Event/storageFailed(reason:)`` is reported. Reads keep being answered.
/// 6. *Send*: every connection has an outbound queue written without blocking; a connection that
///    lets more than ``Limits/outboundQueueLimit`` PDUs pile up (it does not read) is dropped, never
///    waited for.
///
/// Time: `clock` is the lock's timebase (``LockTimebase`` for `latchkey lock serve`: monotonic,
/// anchored to the wall clock at start, so stepping the host's clock neither ends a lockout early
/// nor stretches a motor run; the lock's calendar is its own, set by Update Time). ATT timeouts run
/// on the monotonic clock. No signal handlers: a program that wants SIGUSR1 to press the button
/// calls ``Controls/pressButton()`` of ``controls`` from its own handler (safe from any thread).
public final class LockServer {
    /// What happened, for the event stream.
    public enum Event {
        case lock(LockEvent)
        case connected(UInt64)
        case disconnected(UInt64, reason: String)
        case refused(UInt64, NukiErrorCode, command: Command, reason: String)
        case listening(location: String, name: String)
        /// The state file could not be saved: the writes of the turn were refused with ERROR_UNKNOWN
        /// and nothing was acknowledged. Reported when saving starts failing.
        case storageFailed(reason: String)
        /// The state file was saved again after ``storageFailed(reason:)``.
        case storageRecovered
        /// The store reported a problem that did not fail the save (``LockHost/LockStateJournal``:
        /// its snapshot cannot be written, its journal still can; or it can be written again).
        case storageWarning(String)
    }

    /// A failure of the loop's own machinery (epoll, eventfd).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// A token bucket: `perSecond` PDUs on average, up to `burst` at once.
    public struct RateLimit: Sendable, Hashable {
        public var perSecond: Double
        public var burst: Double
        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    /// The loop's bounds (`docs/attacks.md` X-04).
    public struct Limits: Sendable, Hashable {
        /// Connections held at once.
        public var maxConnections = 10_000
        /// PDUs read from one connection per turn.
        public var pdusPerTurn = 4
        /// Connections accepted per turn.
        public var acceptsPerTurn = 256
        /// PDUs queued for one connection before it is dropped as not reading.
        public var outboundQueueLimit = 256
        /// PDUs one connection may send before it authenticates.
        public var unauthenticatedPerConnection = RateLimit(perSecond: 200, burst: 400)
        /// PDUs all unauthenticated connections together may send.
        public var unauthenticatedTotal = RateLimit(perSecond: 20_000, burst: 40_000)
        /// How long a new connection is safe from eviction while it sets up (MTU exchange, GATT
        /// discovery, CCCD writes, its first encrypted command, which authenticates it): a full
        /// table turns newcomers away rather than evict a connection this young. A flood of
        /// connections thus keeps clients out only while it opens more than ``maxConnections``
        /// per grace period; its older connections are evicted first.
        public var setUpGrace: Duration = .seconds(5)
        public init() {}
        /// The bounds of a lock of `model`: its connection limit (``LockCore/LockModel/maxConnections``,
        /// about 4 on a real lock, 1 on old firmware), the rest as ``init()``.
        public init(model: LockModel) { maxConnections = model.maxConnections }
    }

    /// What one turn produced, held until the commit: nothing reaches a client or the event stream
    /// before the change it reports is durable.
    enum Effect {
        case event(Event)
        case send(UInt64, [UInt8])
        case drop(UInt64, String)
        /// Tells a waiting caller of ``Controls/perform(timeout:_:)`` that its turn's commit is
        /// over, and whether the lock's state is durable (false while saves fail).
        case notify(@Sendable (Bool) -> Void)
    }

    /// An input of the turn, kept so that a failed commit can run the turn again write by write.
    enum Input {
        case pdu(UInt64, [UInt8])
        case closed(UInt64, String)
    }

    final class Peer {
        let id: GATTConnectionID
        let link: any ATTLink
        let fd: Int32?
        var outbox: [[UInt8]] = []
        var outboxHead = 0
        var lastActivity: Duration
        var tokens: Double
        var tokensAt: Duration
        var interest: Readiness.Interest = .readable
        var mutedUntil: Duration?
        var closing = false
        /// When it was accepted (monotonic).
        let connectedAt: Duration
        init(id: GATTConnectionID, link: any ATTLink, now: Duration, burst: Double) {
            self.id = id
            self.link = link
            fd = link.pollDescriptor
            connectedAt = now
            lastActivity = now
            tokens = burst
            tokensAt = now
        }
        var queued: Int { outbox.count - outboxHead }
    }

    /// The engine behind the Nuki GATT server: one pass per PDU, no recursion (``LockDriver/LockGATTPeripheral``).
    var stack: LockGATTPeripheral
    /// The lock's protocol engine (``stack``'s).
    public private(set) var engine: LockSessionEngine {
        get { stack.engine }
        _modify { yield &stack.engine }
        set { stack.engine = newValue }
    }
    var gatt: GATTServer {
        get { stack.gatt }
        _modify { yield &stack.gatt }
        set { stack.gatt = newValue }
    }
    let frontEnd: any LockFrontEnd
    let limits: Limits
    var peers: [UInt64: Peer] = [:]
    /// Peers throttled until their `mutedUntil`, and peers without a descriptor: kept apart so a
    /// turn does not scan every connection.
    var muted: Set<UInt64> = []
    var unpolled: Set<UInt64> = []
    var advertisedPairing: Bool?
    var advertisedStatusChanged = false
    /// The mode last published (``advertise()``), nil before the first.
    var advertisedMode: NukiAdvertisement.Mode?
    /// The iBeacon's "state changed, please poll" bit (``updateStatusChanged(at:)``).
    var statusChanged = false
    /// Keyturner States as a client would read them, without its clock fields; and how many the
    /// engine had sent, at the last commit.
    var lastStatus: KeyturnerStates?
    var lastStatusReads: UInt64 = 0
    let store: (any LockStateStore)?
    /// One capture for all connections (the CLI passes `$LATCHKEY_CAPTURE`), each under its own ACL handle.
    let capture: CaptureWriter?
    let epoch = ContinuousClock.now
    let onEvent: (Event) -> Void
    /// The lock's notion of now.
    let clock: () -> LockInstant
    let readiness: Readiness
    let listenerToken = UInt64.max - 1
    /// Asks the loop from other threads: press the button, stop.
    public let controls: Controls
    var held: [Effect] = []
    var inputs: [Input] = []
    /// Persisted state changed (timers) but is not saved yet.
    var unsaved = false
    var storageFailing = false
    var totalTokens: Double
    var totalTokensAt: Duration = .zero
    var lastTick: Duration = .zero
    /// State-file saves so far (for benchmarks: writes per lock action).
    public private(set) var saves = 0

    /// Serves `engine` through `frontEnd` and publishes its advertising data.
    /// - Parameters:
    ///   - engine: the lock (new, or loaded from its state file).
    ///   - statePath: a state file to rewrite whole on every commit (``LockHost/LockStateFile``), or nil.
    ///   - store: where to make each commit durable instead (`lock serve` passes a
    ///     ``LockHost/LockStateJournal``; tests pass stores that fail or are slow), or nil.
    ///   - clock: the lock's timebase; ``LockTimebase/live()`` unless a virtual clock drives it.
    ///   - capture: where to record every connection's ATT PDUs (btsnoop or pcap), or nil (the
    ///     CLI passes the writer `$LATCHKEY_CAPTURE` names).
    ///   - limits: connection, fairness and rate bounds.
    /// - Throws: the front end's error when the advertising data cannot be published; ``Failure``
    ///   when no epoll instance can be had.
    public init(
        engine: LockSessionEngine, frontEnd: any LockFrontEnd, statePath: String?, store: (any LockStateStore)? = nil,
        clock: @escaping () -> LockInstant = LockTimebase.live(), capture: CaptureWriter? = nil,
        limits: Limits = Limits(), onEvent: @escaping (Event) -> Void
    ) throws {
        var engine = engine
        // The loop owns capacity and eviction (it knows who is idle); the engine keeps every connection.
        engine.maxConnections = Int.max
        stack = LockGATTPeripheral(engine: engine)
        self.frontEnd = frontEnd
        self.store = store ?? statePath.map { LockStateFile(path: $0) }
        self.clock = clock
        self.capture = capture
        self.limits = limits
        self.onEvent = onEvent
        totalTokens = limits.unauthenticatedTotal.burst
        readiness = try Readiness()
        controls = Controls(doorbell: readiness.doorbell)
        if let fd = frontEnd.acceptDescriptor { try readiness.add(fd, token: listenerToken, interest: .readable) }
        let nukiID = engine.machine.nukiID
        try advertise()
        onEvent(.listening(location: frontEnd.location, name: NukiAdvertisement.name(nukiID)))
    }

    /// Serves `engine` on the socket link, advertised in `folder` under an address made from Nuki's
    /// OUI 54:D2:72 and the low three octets of the Nuki ID.
    public convenience init(
        engine: LockSessionEngine, folder: DiscoveryFolder, statePath: String?, store: (any LockStateStore)? = nil,
        clock: @escaping () -> LockInstant = LockTimebase.live(), capture: CaptureWriter? = nil, limits: Limits = Limits(),
        onEvent: @escaping (Event) -> Void
    ) throws {
        let nukiID = engine.machine.nukiID
        guard let address = DeviceAddress(octets: [
            0x54, 0xD2, 0x72, UInt8(truncatingIfNeeded: nukiID >> 16), UInt8(truncatingIfNeeded: nukiID >> 8), UInt8(truncatingIfNeeded: nukiID),
        ]) else { throw TransportError(.invalidAddress, "no device address for Nuki ID \(nukiID)") }
        try self.init(
            engine: engine, frontEnd: try SocketFrontEnd(folder: folder, address: address), statePath: statePath, store: store, clock: clock,
            capture: capture, limits: limits, onEvent: onEvent)
    }

    deinit {
        frontEnd.stop()
        for peer in peers.values { peer.link.close() }
    }

    /// Withdraws the advertising record and closes every connection.
    public func stop() {
        frontEnd.stop()
        for peer in peers.values {
            if let fd = peer.fd { readiness.remove(fd) }
            peer.link.close()
        }
        peers.removeAll()
        muted.removeAll()
        unpolled.removeAll()
    }

    /// The lock's notion of now: the wall clock.
    public static func wallClock() -> LockInstant {
        LockInstant(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    var monotonic: Duration { ContinuousClock.now - epoch }

    /// The open connections.
    public var connectionCount: Int { peers.count }

    /// What other threads may ask of a running loop (a signal's dispatch source, a test's thread).
    public final class Controls: Sendable {
        let buttonRequests = Atomic<Int>(0)
        let stopRequested = Atomic<Bool>(false)
        let doorbell: Readiness.Doorbell
        init(doorbell: Readiness.Doorbell) { self.doorbell = doorbell }

        /// Presses the lock's button for 5 s (pairing mode) at the next turn; wakes a waiting loop.
        public func pressButton() {
            buttonRequests.add(1, ordering: .relaxed)
            doorbell.ring()
        }

        /// Makes ``LockServer/run(until:)`` return after the current turn; wakes a waiting loop.
        public func stop() {
            stopRequested.store(true, ordering: .relaxed)
            doorbell.ring()
        }

        /// Work on the lock from outside the wire (the lock's own controls: a key turn, the battery,
        /// a motor fault), run by the loop at its next turn and committed like a write: saved before
        /// anything it produced is indicated. Safe from any thread; wakes a waiting loop.
        public func submit(_ body: @escaping @Sendable (inout LockSessionEngine, LockInstant) -> [LockSessionEngine.Action]) {
            jobs.withLock { $0.append(Job(body: body, committed: nil)) }
            doorbell.ring()
        }

        /// ``submit(_:)`` that waits: runs `body` at the loop's next turn and returns its result once
        /// the turn's commit is done and what `body` produced has gone out (an owner's control
        /// command is answered only then). Nil when the loop did not get to it within `timeout`
        /// (stopped, or stuck). `saved` is false when the commit could not save the state (what
        /// `body` did to the physical lock happened; the loop keeps trying to save it). Never call
        /// it from the loop's own thread.
        public func perform<Result: Sendable>(
            timeout: Duration = .seconds(5), _ body: @escaping @Sendable (inout LockSessionEngine, LockInstant) -> (actions: [LockSessionEngine.Action], result: Result)
        ) -> (result: Result, saved: Bool)? {
            let box = Mutex<(result: Result?, saved: Bool)>((nil, false))
            let done = DispatchSemaphore(value: 0)
            let job = Job(
                body: { engine, now in
                    let (actions, result) = body(&engine, now)
                    box.withLock { $0.result = result }
                    return actions
                },
                committed: { saved in
                    box.withLock { $0.saved = saved }
                    done.signal()
                })
            jobs.withLock { $0.append(job) }
            doorbell.ring()
            let (seconds, attoseconds) = timeout.components
            guard done.wait(timeout: .now() + .milliseconds(Int(clamping: seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000))) == .success else {
                return nil
            }
            return box.withLock { box in box.result.map { ($0, box.saved) } }
        }

        struct Job {
            let body: @Sendable (inout LockSessionEngine, LockInstant) -> [LockSessionEngine.Action]
            let committed: (@Sendable (Bool) -> Void)?
        }

        let jobs = Mutex<[Job]>([])
    }

    /// Presses the lock's button at the next turn (``Controls/pressButton()``).
    public func requestButtonPress() { controls.pressButton() }

    /// Runs the loop until `deadline` (or for ever) or ``Controls/stop()``.
    public func run(until deadline: ContinuousClock.Instant? = nil) {
        while !controls.stopRequested.load(ordering: .relaxed) {
            var timeout = Duration.seconds(3600)
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return }
                timeout = min(timeout, left)
            }
            step(timeout: timeout)
        }
    }

    // MARK: The turn

    /// One turn of the loop (see the type's documentation): waits up to `timeout` (less when a
    /// timer is due sooner; `.zero` never waits), then accepts, runs timers, reads, commits and
    /// sends.
    /// - Returns: whether a connection or a PDU arrived, or a PDU went out.
    @discardableResult
    public func step(timeout: Duration = .milliseconds(20)) -> Bool {
        let ready = readiness.wait(timeout: waitLimit(timeout))
        let mono = monotonic
        let now = clock()
        var activity = false
        var readable: [UInt64] = []
        var listenerReady = frontEnd.acceptDescriptor == nil
        for event in ready {
            if event.token == listenerToken {
                listenerReady = true
                continue
            }
            if event.readable { readable.append(event.token) }
            if event.writable, let peer = peers[event.token] { flush(peer) }
        }
        if listenerReady { activity = acceptConnections(at: mono) || activity }
        readable += unpolled
        for id in muted {
            guard let peer = peers[id], let until = peer.mutedUntil else {
                muted.remove(id)
                continue
            }
            if until <= mono {
                peer.mutedUntil = nil
                muted.remove(id)
                updateInterest(peer)
                readable.append(id)
            }
        }

        // Timers and the button: physical facts, delivered even when the save fails.
        if controls.buttonRequests.exchange(0, ordering: .relaxed) > 0 {
            route(engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: now))
            unsaved = true
        }
        // The lock's own controls (Controls.submit): like the button, facts of the physical lock.
        for job in controls.jobs.withLock({ jobs in defer { jobs.removeAll() }; return jobs }) {
            route(job.body(&engine, now))
            if let committed = job.committed { held.append(.notify(committed)) }
            unsaved = true
            activity = true
        }
        let timed = engine.advance(to: now)
        route(timed)
        if timed.contains(where: { if case .event = $0 { true } else { false } }) { unsaved = true }
        if mono - lastTick >= .seconds(1) {
            lastTick = mono
            take(stack.tick(now: mono))
        }
        if advertisedPairing == true, !engine.machine.isPairingMode(at: now) { try? advertise() }

        // Inputs, one bounded share per connection, against a snapshot for the commit.
        let before = (engine: engine, gatt: gatt, held: held.count)
        inputs.removeAll(keepingCapacity: true)
        readable.sort()
        var last: UInt64?
        for token in readable where token != last {
            last = token
            guard let peer = peers[token], !peer.closing, peer.mutedUntil == nil else { continue }
            activity = read(peer, at: mono, now: now) || activity
        }

        // Timers that fell due through this turn's writes (a motor with no step time finishes at
        // once) join the same commit instead of costing a second one.
        if !inputs.isEmpty { route(engine.advance(to: now)) }

        commit(before: before, now: now, at: mono)
        updateStatusChanged(at: now)
        return deliver() || activity
    }

    /// How long the next wait may last: `timeout`, cut to the next lock timer, the next
    /// re-admission of a throttled connection, the ATT timeout tick, and 5 ms while anything must
    /// be polled.
    private func waitLimit(_ timeout: Duration) -> Duration {
        var limit = timeout
        if let deadline = engine.nextDeadline {
            let ms = deadline.milliseconds(since: clock())
            limit = min(limit, .milliseconds(max(0, ms)))
        }
        if !peers.isEmpty { limit = min(limit, .seconds(1)) }
        let mono = monotonic
        for id in muted {
            if let until = peers[id]?.mutedUntil { limit = min(limit, max(.zero, until - mono)) }
        }
        if !unpolled.isEmpty { limit = min(limit, .milliseconds(5)) }
        if frontEnd.acceptDescriptor == nil { limit = min(limit, .milliseconds(5)) }
        return max(.zero, limit)
    }

    private func acceptConnections(at mono: Duration) -> Bool {
        var accepted = false
        for _ in 0..<max(1, limits.acceptsPerTurn) {
            let link: (any ATTLink)?
            do { link = try frontEnd.accept(timeout: .zero) } catch { break }
            guard let link else { break }
            accepted = true
            if peers.count >= max(1, limits.maxConnections), !evictForNewcomer(at: mono) {
                link.close()
                continue
            }
            let (id, connecting) = stack.connect(at: mono)
            let handle = UInt16(truncatingIfNeeded: 0x0040 + id.rawValue % 0x0F00)
            let tapped = capture.map { CaptureTap(link: link, writer: $0, connectionHandle: handle) } ?? link
            let peer = Peer(id: id, link: tapped, now: mono, burst: limits.unauthenticatedPerConnection.burst)
            if let fd = peer.fd {
                do {
                    try readiness.add(fd, token: id.rawValue, interest: .readable)
                } catch {
                    stack.disconnect(id)
                    tapped.close()
                    continue
                }
            }
            peers[id.rawValue] = peer
            if peer.fd == nil { unpolled.insert(id.rawValue) }
            take(connecting)
            held.append(.event(.connected(id.rawValue)))
        }
        return accepted
    }

    /// Makes room for one more connection: evicts the unauthenticated connection idle the longest
    /// among those past ``Limits/setUpGrace``. False when there is none (the newcomer is turned
    /// away instead).
    private func evictForNewcomer(at mono: Duration) -> Bool {
        var victim: Peer?
        for peer in peers.values
        where !peer.closing && mono - peer.connectedAt >= limits.setUpGrace && stack.authID(of: peer.id) == nil {
            if victim.map({ peer.lastActivity < $0.lastActivity || (peer.lastActivity == $0.lastActivity && peer.id < $0.id) }) ?? true {
                victim = peer
            }
        }
        guard let victim else { return false }
        remove(victim, reason: "connection table full (\(limits.maxConnections)): evicted as the longest idle unauthenticated connection")
        return true
    }

    /// Reads up to ``Limits/pdusPerTurn`` PDUs from `peer` and runs each through GATT and the engine.
    private func read(_ peer: Peer, at mono: Duration, now: LockInstant) -> Bool {
        var arrived = false
        for _ in 0..<max(1, limits.pdusPerTurn) {
            let authenticated = stack.authID(of: peer.id) != nil
            if !authenticated, !admitUnauthenticated(peer, at: mono) { break }
            let pdu: [UInt8]?
            do {
                pdu = try peer.link.receive(timeout: .zero)
            } catch {
                let reason = error.code == .closed ? "link closed" : "\(error)"
                inputs.append(.closed(peer.id.rawValue, reason))
                peer.closing = true
                held.append(.drop(peer.id.rawValue, reason))
                return true
            }
            guard let pdu else { break }
            if !authenticated { spendToken(peer) }
            arrived = true
            peer.lastActivity = mono
            inputs.append(.pdu(peer.id.rawValue, pdu))
            process(pdu, from: peer.id, at: mono, now: now, refuse: false)
            if peer.closing { break }
        }
        return arrived
    }

    // MARK: Rate limits

    private func refill(_ tokens: inout Double, _ at: inout Duration, _ limit: RateLimit, _ mono: Duration) {
        let elapsed = Double((mono - at).components.seconds) + Double((mono - at).components.attoseconds) / 1e18
        tokens = min(limit.burst, tokens + max(0, elapsed) * limit.perSecond)
        at = mono
    }

    /// Whether an unauthenticated `peer` may send one more PDU now; when not, it is muted until its
    /// bucket (or the shared one) holds a token again.
    private func admitUnauthenticated(_ peer: Peer, at mono: Duration) -> Bool {
        refill(&peer.tokens, &peer.tokensAt, limits.unauthenticatedPerConnection, mono)
        refill(&totalTokens, &totalTokensAt, limits.unauthenticatedTotal, mono)
        if peer.tokens >= 1, totalTokens >= 1 { return true }
        let own = peer.tokens >= 1 ? 0 : (1 - peer.tokens) / max(limits.unauthenticatedPerConnection.perSecond, 0.001)
        let shared = totalTokens >= 1 ? 0 : (1 - totalTokens) / max(limits.unauthenticatedTotal.perSecond, 0.001)
        peer.mutedUntil = mono + .milliseconds(Int64((max(own, shared) * 1000).rounded(.up)) + 1)
        muted.insert(peer.id.rawValue)
        updateInterest(peer)
        return false
    }

    private func spendToken(_ peer: Peer) {
        peer.tokens -= 1
        totalTokens -= 1
    }

    // MARK: GATT and the engine

    /// One PDU through GATT and the engine in one pass (``LockDriver/LockGATTPeripheral``); written
    /// values go to the engine, or with `refuse` to ``LockSessionEngine/refuseUnpersisted(_:on:from:)``.
    private func process(_ pdu: [UInt8], from id: GATTConnectionID, at mono: Duration, now: LockInstant, refuse: Bool) {
        do {
            take(try stack.receive(pdu, from: id, at: mono, now: now, refusingWrites: refuse))
        } catch {
            peers[id.rawValue]?.closing = true
            held.append(.drop(id.rawValue, "\(error)"))
        }
    }

    /// Engine actions produced outside a write (timers, the button, controls) through GATT.
    private func route(_ actions: [LockSessionEngine.Action]) {
        take(stack.route(actions, at: monotonic))
    }

    /// Holds what the lock side produced, in its order, for the commit; pairing-mode events
    /// republish the advertising data.
    private func take(_ outputs: [LockGATTPeripheral.Output]) {
        for output in outputs {
            switch output {
            case .send(let id, let pdu):
                held.append(.send(id.rawValue, pdu))
            case .drop(let id, let reason):
                peers[id.rawValue]?.closing = true
                held.append(.drop(id.rawValue, reason))
            case .event(let event):
                held.append(.event(.lock(event)))
                if case .pairingModeEntered = event { try? advertise() }
                if case .pairingModeLeft = event { try? advertise() }
            case .refused(let id, let code, let command, let reason):
                held.append(.event(.refused(id.rawValue, code, command: command, reason: reason)))
            }
        }
    }

    // MARK: Commit and delivery

    /// Makes the turn durable before anything of it is delivered (see the type's documentation).
    private func commit(before: (engine: LockSessionEngine, gatt: GATTServer, held: Int), now: LockInstant, at mono: Duration) {
        // A read that only updated Most Recent Command is not a change to save (nor to refuse).
        // Compared only when there is a store and the turn read something (R5 in docs/architecture.md).
        guard store != nil else { return }
        let changed = !inputs.isEmpty && engine.machine.changedBeyondMostRecentCommand(since: before.engine.machine)
        guard changed || unsaved else { return }
        if let failure = save() {
            guard changed else {
                // Only timers changed: nothing to refuse; try again next turn.
                reportFailure(failure)
                return
            }
            // Run the turn again write by write: keep each write whose save succeeds, refuse the rest.
            rollBack(to: before)
            // Reported after the roll-back, which would otherwise take the report away with the turn.
            reportFailure(failure)
            let turn = inputs
            for input in turn {
                switch input {
                case .closed(let id, let reason):
                    peers[id]?.closing = true
                    held.append(.drop(id, reason))
                case .pdu(let id, let pdu):
                    let single = (engine: engine, gatt: gatt, held: held.count)
                    process(pdu, from: GATTConnectionID(rawValue: id), at: mono, now: now, refuse: false)
                    guard engine.machine.changedBeyondMostRecentCommand(since: single.engine.machine) else { continue }
                    if save() == nil {
                        unsaved = false
                        if storageFailing {
                            storageFailing = false
                            held.append(.event(.storageRecovered))
                        }
                        continue
                    }
                    rollBack(to: single)
                    process(pdu, from: GATTConnectionID(rawValue: id), at: mono, now: now, refuse: true)
                }
            }
            return
        }
        unsaved = false
        if storageFailing {
            storageFailing = false
            held.append(.event(.storageRecovered))
        }
    }

    /// Puts the engine, GATT and the held effects back as they were at `snapshot`, and reopens the
    /// connections the undone part marked for closing (a rolled-back revocation must not leave its
    /// connection never read and never closed); the part run again marks them afresh.
    private func rollBack(to snapshot: (engine: LockSessionEngine, gatt: GATTServer, held: Int)) {
        engine = snapshot.engine
        gatt = snapshot.gatt
        held.removeSubrange(snapshot.held...)
        var dropping = Set<UInt64>()
        for case .drop(let id, _) in held { dropping.insert(id) }
        for peer in peers.values where peer.closing && !dropping.contains(peer.id.rawValue) { peer.closing = false }
    }

    private func reportFailure(_ reason: String) {
        unsaved = true
        guard !storageFailing else { return }
        storageFailing = true
        held.append(.event(.storageFailed(reason: reason)))
    }

    /// Hands the turn's effects out in order: events to the stream, PDUs to the outbound queues,
    /// drops; then writes every queue without blocking.
    private func deliver() -> Bool {
        let effects = held
        held.removeAll(keepingCapacity: true)
        var touched: [Peer] = []
        for effect in effects {
            switch effect {
            case .event(let event):
                onEvent(event)
            case .send(let id, let pdu):
                guard let peer = peers[id] else { continue }
                if peer.queued == 0 { touched.append(peer) }
                peer.outbox.append(pdu)
                // Checked here too: a client that never reads never makes its socket writable,
                // so its queue would otherwise grow without a flush ever looking at it.
                if peer.queued > limits.outboundQueueLimit {
                    remove(peer, reason: "\(peer.queued) PDUs queued: the client does not read")
                }
            case .drop(let id, let reason):
                if let peer = peers[id] {
                    flush(peer)
                    remove(peer, reason: reason)
                }
            case .notify(let committed):
                committed(!unsaved)
            }
        }
        var sent = false
        for peer in touched where peers[peer.id.rawValue] != nil {
            sent = flush(peer) || sent
        }
        return sent
    }

    /// Writes `peer`'s queue until the link has no room; drops a peer whose queue passed the limit.
    @discardableResult
    private func flush(_ peer: Peer) -> Bool {
        var sent = false
        while peer.outboxHead < peer.outbox.count {
            do {
                guard try peer.link.trySend(peer.outbox[peer.outboxHead]) else { break }
            } catch {
                remove(peer, reason: "send failed: \(error)")
                return sent
            }
            sent = true
            peer.outboxHead += 1
        }
        if peer.outboxHead == peer.outbox.count {
            peer.outbox.removeAll(keepingCapacity: true)
            peer.outboxHead = 0
        } else if peer.queued > limits.outboundQueueLimit {
            remove(peer, reason: "\(peer.queued) PDUs queued: the client does not read")
            return sent
        }
        updateInterest(peer)
        return sent
    }

    private func updateInterest(_ peer: Peer) {
        guard let fd = peer.fd else { return }
        var interest: Readiness.Interest = []
        if peer.mutedUntil == nil { interest.insert(.readable) }
        if peer.queued > 0 { interest.insert(.writable) }
        guard interest != peer.interest else { return }
        peer.interest = interest
        readiness.modify(fd, token: peer.id.rawValue, interest: interest)
    }

    /// Closes `peer` now and forgets it everywhere; reports the reason.
    private func remove(_ peer: Peer, reason: String) {
        guard peers.removeValue(forKey: peer.id.rawValue) != nil else { return }
        muted.remove(peer.id.rawValue)
        unpolled.remove(peer.id.rawValue)
        if let fd = peer.fd { readiness.remove(fd) }
        peer.link.close()
        stack.disconnect(peer.id)
        onEvent(.disconnected(peer.id.rawValue, reason: reason))
    }

    // MARK: Outside the wire

    /// Runs `body` on the lock engine outside a write (the button, a key turn, the battery), saves
    /// the state when it changed, then indicates what it produced and publishes the advertising data
    /// it changed.
    /// - Throws: what `body` throws; then nothing was routed.
    public func perform(_ body: (inout LockSessionEngine, LockInstant) throws -> [LockSessionEngine.Action]) rethrows {
        let before = (engine: engine, gatt: gatt, held: held.count)
        inputs.removeAll(keepingCapacity: true)
        route(try body(&engine, clock()))
        unsaved = unsaved || engine.machine != before.engine.machine
        commit(before: before, now: clock(), at: monotonic)
        updateStatusChanged(at: clock())
        deliver()
    }

    /// The iBeacon's "state changed, please poll" bit (bit 0 of its measured-power byte,
    /// `docs/wire.md` §1.3; pyNukiBT's `poll_needed`, NukiBleEsp32's `KeyTurnerStatusUpdated`): set
    /// when a commit changed what Keyturner States would show (its clock fields and the lock'n'go
    /// countdown aside), cleared when the lock next sent Keyturner States to a client, unless the
    /// same turn changed them again. When a real lock clears it is not public; this is our choice
    /// (README, "How the emulated lock behaves").
    func updateStatusChanged(at now: LockInstant) {
        var status = engine.machine.keyturnerStates(at: now)
        status.currentTime = .unset
        status.lockNGoTimer = 0
        let reads = engine.keyturnerStatesSent
        if status != lastStatus {
            if lastStatus != nil { statusChanged = true }
            lastStatus = status
        } else if reads != lastStatusReads {
            statusChanged = false
        }
        lastStatusReads = reads
        if statusChanged != advertisedStatusChanged { try? advertise() }
    }

    /// Publishes the advertising data for the current mode when it changed: pairing-service data
    /// in pairing mode, initialization-service data for a factory-new lock, the iBeacon otherwise
    /// (``LockSession/LockMachine/advertisingMode(at:statusChanged:)``, `docs/wire.md` §1.3).
    func advertise() throws {
        let now = clock()
        let mode = engine.machine.advertisingMode(at: now, statusChanged: statusChanged)
        guard mode != advertisedMode else { return }
        advertisedMode = mode
        advertisedPairing = engine.machine.isPairingMode(at: now)
        advertisedStatusChanged = mode == .paired(statusChanged: true)
        try frontEnd.advertise(NukiAdvertisement(nukiID: engine.machine.nukiID, mode: mode))
    }

    /// Writes the state file (atomically, fsync'd); the reason when it could not.
    private func save() -> String? {
        guard let store else { return nil }
        defer {
            for warning in store.takeWarnings() { held.append(.event(.storageWarning(warning))) }
        }
        do {
            try store.save(engine)
            saves += 1
            return nil
        } catch {
            return error.reason
        }
    }
}

/// The lock's timebase for a live process: the wall clock read once at start, then advanced by the
/// monotonic clock, so a step of the host's clock (NTP, `date -s`, a DST bug) never shortens a
/// lockout, re-opens a pairing window or stretches a motor run. Like a real lock's RTC, the lock's
/// calendar is its own: Update Time (0x0021) sets it (``LockCore/LockMachine/setClock(to:at:)``).
public enum LockTimebase {
    /// A timebase reading `wall` once, now, and `monotonic` from then on.
    /// - Parameters:
    ///   - wall: the host's wall clock (injected in tests).
    ///   - monotonic: a clock that never steps, as a duration since any origin.
    public static func anchored(wall: () -> LockInstant, monotonic: @escaping @Sendable () -> Duration) -> @Sendable () -> LockInstant {
        let anchor = wall()
        let start = monotonic()
        return {
            let (seconds, attoseconds) = (monotonic() - start).components
            return anchor.adding(milliseconds: seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000)
        }
    }

    /// The wall clock now, the process's continuous clock from then on.
    public static func live() -> @Sendable () -> LockInstant {
        let origin = ContinuousClock.now
        return anchored(wall: LockServer.wallClock, monotonic: { ContinuousClock.now - origin })
    }
}
