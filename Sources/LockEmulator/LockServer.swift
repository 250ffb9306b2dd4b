import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockSession
import LockWire
import Synchronization

/// Presses of the lock's button requested from outside the process (`latchkey lock press-button`
/// sends SIGUSR1); the serve loop turns each into a 5-second hold.
let buttonRequests = Atomic<Int>(0)

/// The emulated lock as a process: its protocol engine behind the Nuki GATT server, served over the
/// Unix SOCK_SEQPACKET link (one ATT PDU per datagram), advertised in the discovery folder with the
/// real AD bytes, its state in a state file.
///
/// One thread, one poll loop (``step(timeout:)``): accept connections, read PDUs, feed the GATT
/// server, hand whole written values (long writes already joined) to ``LockSessionEngine``, and
/// indicate its replies (the GATT server cuts them to ATT_MTU − 3). An injected clock drives the
/// lock's time (the wall clock for `latchkey lock serve`, a virtual one for the demo's socket link;
/// ATT timeouts always run on the monotonic clock); SIGUSR1 presses the button. The state is saved after every change when a state path is given.
public final class LockServer {
    /// What happened, for the event stream.
    public enum Event {
        case lock(LockEvent)
        case connected(UInt64)
        case disconnected(UInt64, reason: String)
        case refused(UInt64, NukiErrorCode, command: Command, reason: String)
        case listening(location: String, name: String)
    }

    public private(set) var engine: LockSessionEngine
    var gatt: GATTServer
    let profile: NukiGATTProfile
    let frontEnd: any LockFrontEnd
    var links: [GATTConnectionID: any ATTLink] = [:]
    var advertisedPairing: Bool?
    let statePath: String?
    /// One capture for all connections (`$LATCHKEY_CAPTURE` by default), each under its own ACL handle.
    let capture: CaptureWriter?
    let epoch = ContinuousClock.now
    let onEvent: (Event) -> Void
    /// The lock's notion of now.
    let clock: () -> LockInstant
    let buttonOnSIGUSR1: Bool

    /// Serves `engine` through `frontEnd` and publishes its advertising data.
    /// - Parameters:
    ///   - engine: the lock (new, or loaded from its state file).
    ///   - statePath: where to save the state after every change, or nil.
    ///   - clock: the lock's time; ``wallClock()`` unless a virtual clock drives it.
    ///   - capture: where to record every connection's ATT PDUs (btsnoop or pcap), or nil;
    ///     `$LATCHKEY_CAPTURE` by default.
    ///   - buttonOnSIGUSR1: whether SIGUSR1 (`latchkey lock press-button`) presses this lock's button.
    ///     The signal belongs to the process, so a lock inside a larger program (the demo's room)
    ///     leaves it alone.
    /// - Throws: the front end's error when the advertising data cannot be published.
    public init(
        engine: LockSessionEngine, frontEnd: any LockFrontEnd, statePath: String?,
        clock: @escaping () -> LockInstant = LockServer.wallClock, capture: CaptureWriter? = CaptureWriter.fromEnvironment(),
        buttonOnSIGUSR1: Bool = true, onEvent: @escaping (Event) -> Void
    ) throws {
        self.buttonOnSIGUSR1 = buttonOnSIGUSR1
        self.engine = engine
        self.frontEnd = frontEnd
        self.statePath = statePath
        self.clock = clock
        self.capture = capture
        self.onEvent = onEvent
        let nukiID = engine.machine.nukiID
        profile = NukiGATTProfile(
            nukiID: nukiID, firmwareRevision: engine.machine.model.firmwareVersion.description,
            hardwareRevision: engine.machine.model.hardwareRevision.description)
        // Weakness.unboundedReassembly (`lock serve --weaken`): Prepare Write queues without a cap.
        gatt = GATTServer(
            database: profile.database,
            bearerConfiguration: engine.weaknesses.contains(.unboundedReassembly) ? .init(maxPreparedWrites: .max, maxPreparedBytes: .max) : .init())
        if buttonOnSIGUSR1 { signal(SIGUSR1) { _ in buttonRequests.add(1, ordering: .relaxed) } }
        try advertise()
        onEvent(.listening(location: frontEnd.location, name: NukiAdvertisement.name(nukiID)))
    }

    /// Serves `engine` on the socket link, advertised in `folder` under an address made from Nuki's
    /// OUI 54:D2:72 and the low three octets of the Nuki ID.
    public convenience init(
        engine: LockSessionEngine, folder: DiscoveryFolder = DiscoveryFolder(), statePath: String?, buttonOnSIGUSR1: Bool = true,
        onEvent: @escaping (Event) -> Void
    ) throws {
        let nukiID = engine.machine.nukiID
        guard let address = DeviceAddress(octets: [
            0x54, 0xD2, 0x72, UInt8(truncatingIfNeeded: nukiID >> 16), UInt8(truncatingIfNeeded: nukiID >> 8), UInt8(truncatingIfNeeded: nukiID),
        ]) else { throw TransportError(.invalidAddress, "no device address for Nuki ID \(nukiID)") }
        try self.init(
            engine: engine, frontEnd: try SocketFrontEnd(folder: folder, address: address), statePath: statePath, buttonOnSIGUSR1: buttonOnSIGUSR1,
            onEvent: onEvent)
    }

    deinit {
        frontEnd.stop()
        for link in links.values { link.close() }
    }

    /// Withdraws the advertising record and closes every connection.
    public func stop() {
        frontEnd.stop()
        for link in links.values { link.close() }
        links.removeAll()
    }

    /// The lock's notion of now: the wall clock.
    public static func wallClock() -> LockInstant {
        LockInstant(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    var monotonic: Duration { ContinuousClock.now - epoch }

    /// One turn of the loop: accepts waiting connections, reads every link without blocking, runs
    /// the timers; when nothing arrived, waits up to `timeout` (for a connection while none is open,
    /// else 1 ms) so an idle lock does not spin. A zero `timeout` never waits.
    /// - Returns: whether a connection or a PDU arrived.
    @discardableResult
    public func step(timeout: Duration = .milliseconds(20)) -> Bool {
        let now = clock()
        if buttonOnSIGUSR1, buttonRequests.exchange(0, ordering: .relaxed) > 0 {
            route(engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: now))
        }
        var activity = false
        while let link = (try? frontEnd.accept(timeout: links.isEmpty && !activity ? timeout : .zero)) ?? nil {
            activity = true
            let id = gatt.connect()
            let handle = UInt16(truncatingIfNeeded: 0x0040 + id.rawValue % 0x0F00)
            links[id] = capture.map { CaptureTap(link: link, writer: $0, connectionHandle: handle) } ?? link
            route(engine.connect(ConnectionID(id.rawValue), mtu: Fragmenter.maximumMTU))
            onEvent(.connected(id.rawValue))
        }
        for (id, link) in links.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            while true {
                let pdu: [UInt8]?
                do {
                    pdu = try link.receive(timeout: .zero)
                } catch {
                    drop(id, reason: "link closed")
                    break
                }
                guard let pdu else { break }
                activity = true
                do {
                    handle(try gatt.receive(pdu, from: id, at: monotonic), at: clock())
                } catch {
                    drop(id, reason: "\(error)")
                    break
                }
            }
        }
        handle(gatt.tick(now: monotonic), at: now)
        let timed = engine.advance(to: clock())
        route(timed)
        // Timers change the state too (a motor step, a run finishing with its log entry, auto lock,
        // time control): save when they report anything, so a restart never replays a finished run.
        // (Not on every turn: the clock bookkeeping alone moves each time.)
        if statePath != nil, timed.contains(where: { if case .event = $0 { true } else { false } }) { save() }
        if !activity && !links.isEmpty && timeout > .zero { Thread.sleep(forTimeInterval: 0.001) }
        return activity
    }

    /// Runs `body` on the lock engine outside a write (the button, a key turn, the battery), then
    /// indicates what it produced, publishes the advertising data it changed and saves the state.
    /// - Throws: what `body` throws; then nothing was routed.
    public func perform(_ body: (inout LockSessionEngine, LockInstant) throws -> [LockSessionEngine.Action]) rethrows {
        route(try body(&engine, clock()))
        save()
    }

    /// Runs the loop until `deadline` (or for ever).
    public func run(until deadline: ContinuousClock.Instant? = nil) {
        while deadline.map({ ContinuousClock.now < $0 }) ?? true { step() }
    }

    private func handle(_ events: [GATTServer.Event], at now: LockInstant) {
        // ATT responses first: a Write Response goes out before the indications its value causes.
        let ordered = events.filter { if case .send = $0 { return true } else { return false } }
            + events.filter { if case .send = $0 { return false } else { return true } }
        for event in ordered {
            switch event {
            case .send(let id, let octets):
                do { try links[id]?.send(octets) } catch { drop(id, reason: "send failed") }
            case .valueWritten(let id, let characteristic, let value):
                guard let which = characteristicName(characteristic) else { continue }
                route(engine.receive(value, on: which, from: ConnectionID(id.rawValue), at: now))
                save()
            case .indicationTimeout(let id):
                drop(id, reason: "indication timeout")
            default:
                break
            }
        }
    }

    private func route(_ actions: [LockSessionEngine.Action]) {
        for action in actions {
            switch action {
            case .indicate(let connection, let which, let bytes):
                let id = GATTConnectionID(rawValue: connection.rawValue)
                do {
                    handle(try gatt.indicate(bytes, on: characteristic(which), to: id, at: monotonic), at: clock())
                } catch {
                    // Indications not enabled on that characteristic: nothing to send it on.
                }
            case .disconnect(let connection, let reason):
                drop(GATTConnectionID(rawValue: connection.rawValue), reason: reason)
            case .event(let event):
                onEvent(.lock(event))
                if case .pairingModeEntered = event { try? advertise() }
                if case .pairingModeLeft = event { try? advertise() }
            case .refused(let connection, let code, let command, let reason):
                onEvent(.refused(connection.rawValue, code, command: command, reason: reason))
            }
        }
    }

    private func drop(_ id: GATTConnectionID, reason: String) {
        guard let link = links.removeValue(forKey: id) else { return }
        link.close()
        gatt.disconnect(id)
        engine.disconnect(ConnectionID(id.rawValue))
        onEvent(.disconnected(id.rawValue, reason: reason))
    }

    /// Publishes the advertising data for the current mode: pairing-service data in pairing mode,
    /// the iBeacon otherwise (`protocol.md` §1.3).
    func advertise() throws {
        let pairing = engine.machine.isPairingMode(at: clock())
        guard pairing != advertisedPairing else { return }
        advertisedPairing = pairing
        let mode: NukiAdvertisement.Mode = pairing ? .pairing(service: NukiAdvertisement.pairingService) : .paired(statusChanged: false)
        try frontEnd.advertise(NukiAdvertisement(nukiID: engine.machine.nukiID, mode: mode))
    }

    /// Writes the state file (atomically) when a state path is given.
    private func save() {
        guard let statePath else { return }
        try? LockStateFile(path: statePath).save(engine)
    }

    private func characteristicName(_ characteristic: GATTCharacteristic) -> Characteristic? {
        switch characteristic.valueHandle {
        case profile.pairingGDIO.valueHandle: return .pairingGDIO
        case profile.keyturnerGDIO.valueHandle: return .keyturnerGDIO
        case profile.keyturnerUSDIO.valueHandle: return .keyturnerUSDIO
        default: return nil
        }
    }

    private func characteristic(_ which: Characteristic) -> GATTCharacteristic {
        switch which {
        case .pairingGDIO: return profile.pairingGDIO
        case .keyturnerGDIO: return profile.keyturnerGDIO
        case .keyturnerUSDIO: return profile.keyturnerUSDIO
        }
    }
}
