import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// Connects an emulated peripheral (keypad, fob, phone) to a lock over an ATT link, as a GATT
/// client: exchanges the MTU, discovers the Nuki services, enables indications on the pairing GDIO,
/// the keyturner GDIO and the USDIO, then carries the peripheral's writes (long writes when needed)
/// and the lock's indications until the request it started has an outcome.
public final class PeripheralClient {
    let link: any ATTLink
    var gatt = GATTClient()
    var handles: [Characteristic: UInt16] = [:]
    let epoch = ContinuousClock.now

    /// Why a connection or a request failed.
    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Connects over `link` and sets up GATT (within `timeout`: 10 s by default, for a lock without
    /// Exchange MTU at ATT_MTU 23 over a slow link), recording the link's ATT PDUs in
    /// `capture` when given.
    public init(link: any ATTLink, timeout: Duration = .seconds(10), capture: CaptureWriter? = nil) throws {
        self.link = capture.map { CaptureTap(link: link, writer: $0) } ?? link
        let deadline = ContinuousClock.now + timeout
        let found = try Characteristic.setUpNukiClient(
            run: { procedure, done in try pump(gatt.perform(procedure, at: monotonic), until: deadline, done) },
            missing: { Failure(reason: "the lock has no characteristic \($0)") })
        handles = found
    }

    /// Connects to a lock published in the discovery folder, chosen by
    /// ``NukiProfile/NukiAdvertisement/suits(pairing:)`` (the rule of the BlueZ scan): the first
    /// by address that advertises as a Nuki, in pairing mode when `pairing`; only the one at
    /// `address` when given. Throws ``Failure`` saying why none fits (none advertises, none in
    /// pairing mode, nothing at `address`), ``BLETransport/TransportError`` when the folder is
    /// refused or the socket cannot be reached.
    public convenience init(
        folder: DiscoveryFolder, address: String? = nil, pairing: Bool = false, timeout: Duration = .seconds(10), capture: CaptureWriter? = nil
    ) throws {
        try folder.verify()
        let device = try Self.choose(from: DiscoveryScanner(folder: folder).scan(), in: folder.path, address: address, pairing: pairing)
        try self.init(link: try SeqPacketLink.connect(path: device.record.socket), timeout: timeout, capture: capture)
        lockAddress = device.record.address.description
        lockName = device.nuki?.displayName
    }

    /// The device a peripheral connects to among `devices` (scanned from the folder at `folder`):
    /// see ``init(folder:address:pairing:timeout:capture:)``. Throws ``Failure`` with the reason.
    public static func choose(from devices: [DiscoveredDevice], in folder: String, address: String?, pairing: Bool) throws -> DiscoveredDevice {
        let wanted = address.flatMap { DeviceAddress(string: $0) }
        let locks = devices.filter { $0.nuki != nil && (address == nil || $0.record.address == wanted) }
        if let device = locks.first(where: { $0.nuki?.suits(pairing: pairing) == true }) { return device }
        guard let other = locks.first else {
            if let address { throw Failure(reason: "no lock at \(address) in \(folder)") }
            throw Failure(reason: "no lock found in \(folder) (start one with `latchkey lock serve`)")
        }
        if address != nil {
            throw Failure(reason: "the lock at \(other.record.address) is not in pairing mode (hold its button: `latchkey lock press-button --address \(other.record.address)`)")
        }
        throw Failure(reason: "no lock in pairing mode in \(folder) (\(locks.count) paired; hold one's button: `latchkey lock press-button --address ADDRESS`)")
    }

    /// The advertised name (e.g. `Nuki_2A37599A`) of the lock this client reached through a
    /// discovery folder; nil for a link handed in directly.
    public private(set) var lockName: String?

    /// The discovery address of the lock this client reached through a discovery folder; nil for a
    /// link handed in directly.
    public private(set) var lockAddress: String?

    deinit { link.close() }

    /// Closes the link (the lock sees a disconnection). Idempotent.
    public func close() { link.close() }

    var monotonic: Duration { ContinuousClock.now - epoch }

    /// Runs `start` (the peripheral's first actions) and everything that follows, until the
    /// peripheral gives feedback for which `done` is true or `timeout` passes. Returns all feedback.
    public func run<P: EmulatedPeripheral>(
        _ peripheral: inout P, start: [PeripheralAction], timeout: Duration = .seconds(10),
        done: (PeripheralFeedback) -> Bool = PeripheralClient.isOutcome,
        cardReader: (Bytes32) -> Result<NFCCardRead, NFCError> = { _ in .failure(NFCError(.noCard, "no NFC reader")) }
    ) throws -> [PeripheralFeedback] {
        let deadline = ContinuousClock.now + timeout
        var feedback: [PeripheralFeedback] = []
        var pending = start
        var finished = false
        while !finished {
            // Deliver the peripheral's actions.
            while !pending.isEmpty {
                switch pending.removeFirst() {
                case .feedback(let f):
                    feedback.append(f)
                    if done(f) { finished = true }
                case .write(let which, let bytes):
                    guard let handle = handles[which] else { throw Failure(reason: "no handle for \(which)") }
                    try send(gatt.perform(.write(handle: handle, value: bytes), at: monotonic))
                case .readCard(let challenge):
                    // The NFC reader runs while the lock's challenge is outstanding (blocking I/O).
                    pending += peripheral.cardRead(cardReader(challenge), at: LockServer.wallClock())
                }
            }
            if finished { break }
            guard ContinuousClock.now < deadline else { throw Failure(reason: "no answer from the lock within \(timeout)") }
            pending += peripheral.tick(at: LockServer.wallClock())
            guard let pdu = try link.receive(timeout: .milliseconds(20)) else { continue }
            for event in gatt.receive(pdu, at: monotonic) {
                switch event {
                case .send(let octets): try link.send(octets)
                case .indication(let handle, let value):
                    guard let which = handles.first(where: { $0.value == handle })?.key else { continue }
                    pending += peripheral.receive(value, on: which, at: LockServer.wallClock())
                case .failed(_, let error): throw Failure(reason: "GATT: \(error)")
                default: break
                }
            }
        }
        return feedback
    }

    /// What the lock sent back while ``exchange(_:to:timeout:until:)`` waited.
    public enum Received: Sendable, Equatable {
        /// An indication (one ATT_MTU − 3 chunk at most) on a Nuki characteristic.
        case indication(Characteristic, [UInt8])
        /// The write itself failed at the ATT/GATT level (an ATT Error Response, e.g. Invalid
        /// Attribute Value Length 0x0D), described.
        case writeFailed(String)
    }

    /// The ATT_MTU negotiated at set-up.
    public var mtu: Int { gatt.mtu }

    /// The value handle of `characteristic` found at set-up.
    public func handle(of characteristic: Characteristic) -> UInt16? { handles[characteristic] }

    /// Writes `bytes` to `characteristic` through the GATT client (a Write Request, or a long write
    /// when longer than ATT_MTU − 3; nil writes nothing) and collects what the lock sends back until
    /// `done` holds for it or `timeout` passes; indications are confirmed. For probing a lock with
    /// frames of one's own (`latchkey audit`). Throws ``BLETransport/TransportError`` when the link
    /// fails or closes (the lock stopped answering).
    public func exchange(
        _ bytes: [UInt8]?, to characteristic: Characteristic, timeout: Duration, until done: ([Received]) -> Bool
    ) throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        var received: [Received] = []
        func take(_ events: [GATTClient.Event]) throws {
            for event in events {
                switch event {
                case .send(let octets): try link.send(octets)
                case .indication(let handle, let value):
                    if let which = handles.first(where: { $0.value == handle })?.key { received.append(.indication(which, value)) }
                case .failed(_, let error): received.append(.writeFailed("\(error)"))
                default: break
                }
            }
        }
        if let bytes {
            guard let handle = handles[characteristic] else { throw Failure(reason: "no handle for \(characteristic)") }
            try take(gatt.perform(.write(handle: handle, value: bytes), at: monotonic))
        }
        while !done(received), ContinuousClock.now < deadline {
            guard let pdu = try link.receive(timeout: .milliseconds(5)) else {
                try take(gatt.tick(now: monotonic))
                continue
            }
            try take(gatt.receive(pdu, at: monotonic))
        }
        return received
    }

    /// Sends one raw ATT PDU, bypassing the GATT client (for probes of the lock's ATT server, e.g. an
    /// unbounded Prepare Write queue). Throws ``BLETransport/TransportError``.
    public func sendRawATT(_ pdu: [UInt8]) throws { try link.send(pdu) }

    /// The next ATT PDU within `timeout`, raw, or nil. Throws ``BLETransport/TransportError`` when the
    /// link fails or closes.
    public func receiveRawATT(timeout: Duration) throws -> [UInt8]? { try link.receive(timeout: timeout) }

    /// Whether feedback ends a request (pairing done, accepted, refused, failed…).
    public static func isOutcome(_ feedback: PeripheralFeedback) -> Bool {
        switch feedback {
        case .lowBattery, .entryTimedOut: return false
        default: return true
        }
    }

    private func send(_ events: [GATTClient.Event]) throws {
        for case .send(let octets) in events { try link.send(octets) }
    }

    /// Sends `events`' PDUs and reads until one event satisfies `done`.
    private func pump(_ events: [GATTClient.Event], until deadline: ContinuousClock.Instant, _ done: (GATTClient.Event) -> Bool) throws {
        var pending = events
        while true {
            for event in pending {
                switch event {
                case .send(let octets): try link.send(octets)
                case .failed(let procedure, let error):
                    if done(event) { return }
                    throw Failure(reason: "GATT \(procedure): \(error)")
                default: if done(event) { return }
                }
            }
            guard ContinuousClock.now < deadline else { throw Failure(reason: "the lock did not answer GATT set-up in time") }
            guard let pdu = try link.receive(timeout: .milliseconds(20)) else {
                pending = gatt.tick(now: monotonic)
                continue
            }
            pending = gatt.receive(pdu, at: monotonic)
        }
    }
}
