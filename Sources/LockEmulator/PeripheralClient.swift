import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LockCore
import LockDriver
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// Connects an emulated peripheral (keypad, fob, phone) to a lock over an ATT link, as a GATT
/// client: exchanges the MTU, discovers the Nuki services, enables indications on the pairing GDIO,
/// the keyturner GDIO and the USDIO, then carries the peripheral's writes (long writes when needed)
/// and the lock's indications until the request it started has an outcome. Its GATT side is a
/// ``LockDriver/NukiGATTCentral`` (the rooms' devices use the same); unlike the rooms it blocks on
/// the link, with a deadline, since the lock runs in another process.
public final class PeripheralClient {
    let link: any ATTLink
    var central = NukiGATTCentral()
    /// The GATT client and the handles found at set-up (``central``'s).
    var gatt: GATTClient {
        get { central.gatt }
        _modify { yield &central.gatt }
    }
    var handles: [Characteristic: UInt16] { central.handles }
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
        let link = self.link
        do {
            try central.setUp(
                clock: { ContinuousClock.now - epoch }, send: { try link.send($0) },
                next: {
                    guard ContinuousClock.now < deadline else { throw Failure(reason: "the lock did not answer GATT set-up in time") }
                    return try link.receive(timeout: .milliseconds(20))
                })
        } catch let failure as NukiGATTCentral.Failure {
            throw Failure(reason: failure.reason)
        } catch let stop as PDUDriver.NotQuiet {
            throw Failure(reason: "\(stop)")
        }
    }

    /// Which pairing the lock's GATT table offers (its pairing GDIO `a92ee101-…` or Ultra's
    /// `a92ee301-…`, found at set-up): what a client pairs with, without being told.
    public var variant: NukiGATTVariant { central.variant }

    /// The wire context of a client of this lock: ``LockWire/WireContext/ultra`` (Ultra pairing,
    /// u32 security PIN) for the Ultra variant, else ``LockWire/WireContext/smartLock``.
    public var wireContext: WireContext { variant == .ultra ? .ultra : .smartLock }

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
        throw Failure(reason: "no lock in pairing mode in \(folder) (\(locks.count) not in pairing mode; hold one's button: `latchkey lock press-button --address ADDRESS`)")
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
                    try send(try write(bytes, to: which).sends)
                case .readCard(let challenge):
                    // The NFC reader runs while the lock's challenge is outstanding (blocking I/O).
                    pending += peripheral.cardRead(cardReader(challenge), at: LockServer.wallClock())
                }
            }
            if finished { break }
            guard ContinuousClock.now < deadline else { throw Failure(reason: "no answer from the lock within \(timeout)") }
            pending += peripheral.tick(at: LockServer.wallClock())
            guard let pdu = try link.receive(timeout: .milliseconds(20)) else { continue }
            let received = central.receive(pdu, at: monotonic)
            try send(received.sends)
            for (which, value) in received.indications { pending += peripheral.receive(value, on: which, at: LockServer.wallClock()) }
            if let failure = received.failures.first { throw Failure(reason: "GATT: \(failure)") }
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
    public var mtu: Int { central.mtu }

    /// The value handle of `characteristic` found at set-up.
    public func handle(of characteristic: Characteristic) -> UInt16? { central.handles[characteristic] }

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
        func take(_ part: NukiGATTCentral.Received) throws {
            try send(part.sends)
            received += part.indications.map { .indication($0.0, $0.1) }
            received += part.failures.map { .writeFailed($0) }
        }
        if let bytes { try take(try write(bytes, to: characteristic)) }
        while !done(received), ContinuousClock.now < deadline {
            guard let pdu = try link.receive(timeout: .milliseconds(5)) else {
                try take(central.tick(now: monotonic))
                continue
            }
            try take(central.receive(pdu, at: monotonic))
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

    private func send(_ pdus: [[UInt8]]) throws {
        for octets in pdus { try link.send(octets) }
    }

    /// The PDUs of a write through the client; ``Failure`` when set-up found no handle for `which`.
    private func write(_ bytes: [UInt8], to which: Characteristic) throws -> NukiGATTCentral.Received {
        do {
            return try central.write(bytes, to: which, at: monotonic)
        } catch {
            throw Failure(reason: error.reason)
        }
    }
}
