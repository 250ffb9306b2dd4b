import BLEATT
import BLEGATT
import NukiProfile

/// A Nuki client's side of the profile in one value: its ``BLEGATT/GATTClient`` and the value
/// handles of the three Nuki characteristics found at set-up, both ways (`docs/wire.md` §1.1).
///
/// Used by every GATT client of the lock: `PeripheralClient` (keypad, fob, phone, audit, live
/// fuzzer), the rooms' devices and the security bench. Sans-I/O: PDUs in, PDUs and values out; the
/// caller moves them over its link.
public struct NukiGATTCentral: Sendable {
    /// The GATT client (one ATT bearer), open to callers that need its raw events (a Write
    /// Response's `valueWritten`, e.g. the crash-consistency harness).
    public var gatt = GATTClient()
    /// Each characteristic's value handle, found by ``setUp(clock:send:next:)``.
    public private(set) var handles: [Characteristic: UInt16] = [:]
    /// Which pairing the lock's GATT table offers, found at set-up (its pairing GDIO `a92ee101-…`
    /// or Ultra's `a92ee301-…`, ``NukiProfile/NukiGATTVariant/init(exposedBy:)``).
    public private(set) var variant: NukiGATTVariant = .smartLock
    private var characteristics: [UInt16: Characteristic] = [:]

    /// A set-up or write that cannot go on.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong, e.g. `GATT discoverAll: …`, `no handle for keyturnerUSDIO`.
        public let reason: String
        /// Makes a failure.
        public init(reason: String) { self.reason = reason }
        /// The reason.
        public var description: String { reason }
    }

    /// What the client made of PDUs from the lock.
    public struct Received: Sendable, Equatable {
        /// PDUs to send back (Handle Value Confirmations, the next part of a long write), in order.
        public var sends: [[UInt8]] = []
        /// Indications on the Nuki characteristics, in order (each one ATT_MTU − 3 chunk at most).
        public var indications: [(Characteristic, [UInt8])] = []
        /// GATT procedures that failed (an ATT Error Response, a timeout), described.
        public var failures: [String] = []

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.sends == rhs.sends && lhs.failures == rhs.failures
                && lhs.indications.map(\.0) == rhs.indications.map(\.0) && lhs.indications.map(\.1) == rhs.indications.map(\.1)
        }
    }

    /// A client before set-up.
    public init() {}

    /// The ATT_MTU in force (247 after a successful exchange, 23 before or when the lock refuses it).
    public var mtu: Int { gatt.mtu }

    /// The characteristic whose value handle is `handle`, if it is one of the three.
    public func characteristic(atValueHandle handle: UInt16) -> Characteristic? { characteristics[handle] }

    /// Runs the Nuki GATT set-up (``NukiProfile/Characteristic/setUpNukiClient(run:missing:)``: MTU,
    /// discovery, indications on) over a link the caller moves: `send` transmits one PDU, `next`
    /// returns the next PDU from the lock or nil when none came (then the client's ATT timeout is
    /// checked). Each procedure is driven by ``PDUDriver/run(_:limit:_:)``.
    /// - Throws: what `send` or `next` throw (a closed link, the caller's deadline); ``Failure``
    ///   when a procedure fails or a characteristic is missing; ``PDUDriver/NotQuiet`` when a
    ///   procedure does not finish within the driver's round cap.
    public mutating func setUp(clock: () -> Duration, send: ([UInt8]) throws -> Void, next: () throws -> [UInt8]?) throws {
        var gatt = self.gatt
        var exposed = NukiGATTVariant.smartLock
        let found = try Characteristic.setUpNukiClient(
            run: { procedure, done in
                var pending = gatt.perform(procedure, at: clock())
                var thrown: (any Error)?
                var finished = false
                try PDUDriver.run("GATT \(procedure)") {
                    do {
                        for event in pending {
                            switch event {
                            case .send(let octets):
                                try send(octets)
                            case .failed(_, let error):
                                if done(event) { finished = true; return false }
                                throw Failure(reason: "GATT \(procedure): \(error)")
                            default:
                                if done(event) { finished = true; return false }
                            }
                        }
                        pending = try next().map { gatt.receive($0, at: clock()) } ?? gatt.tick(now: clock())
                        return true
                    } catch {
                        thrown = error
                        return false
                    }
                }
                if let thrown { throw thrown }
                if !finished { throw Failure(reason: "the lock did not finish GATT \(procedure)") }
            },
            missing: { Failure(reason: "the lock has no characteristic \($0)") }, variant: { exposed = $0 })
        self.gatt = gatt
        variant = exposed
        handles = found
        characteristics = Dictionary(found.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// The PDUs that write `bytes` to `characteristic`: a Write Request, or a long write (Prepare
    /// Writes, then Execute Write) when longer than ATT_MTU − 3; their answers come through
    /// ``receive(_:at:)``.
    /// - Throws: ``Failure`` when set-up found no handle for `characteristic`.
    public mutating func write(_ bytes: [UInt8], to characteristic: Characteristic, at now: Duration) throws(Failure) -> Received {
        guard let handle = handles[characteristic] else { throw Failure(reason: "no handle for \(characteristic)") }
        return take(gatt.perform(.write(handle: handle, value: bytes), at: now))
    }

    /// One PDU from the lock.
    public mutating func receive(_ pdu: [UInt8], at now: Duration) -> Received { take(gatt.receive(pdu, at: now)) }

    /// The client's ATT transaction timeout, due by `now` (30 s, Core 5.4 Vol 3 Part F §3.3.3).
    public mutating func tick(now: Duration) -> Received { take(gatt.tick(now: now)) }

    private func take(_ events: [GATTClient.Event]) -> Received {
        var received = Received()
        for event in events {
            switch event {
            case .send(let octets): received.sends.append(octets)
            case .indication(let handle, let value):
                if let which = characteristics[handle] { received.indications.append((which, value)) }
            case .failed(_, let error): received.failures.append("\(error)")
            default: break
            }
        }
        return received
    }
}
