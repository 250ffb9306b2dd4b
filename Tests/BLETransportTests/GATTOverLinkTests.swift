// Needs BLEGATT in this test target's dependencies (Package.swift:
// `.testTarget(name: "BLETransportTests", dependencies: ["BLETransport", "BLEATT", "BLEGATT"])`).
// Until then the file compiles to nothing.
import BLEATT
import BLEGATT
import BLETransport
import Foundation
import LatchkeyTestSupport
import NukiProfile
import Synchronization
import Testing

/// What the lock side saw, shared with the test thread.
final class LockReport: Sendable {
    let written = Mutex<[[UInt8]]>([])
    let problems = Mutex<[String]>([])
}

/// The lock end: a GATTServer on a link, answering the client's Set A messages with the lock's
/// (each lock message indicated as soon as the client message before it has been written).
struct ScriptedLock {
    var server: GATTServer
    let link: any ATTLink
    let profile: NukiGATTProfile
    let connection: GATTConnectionID
    let steps: [(fromClient: Bool, usdio: Bool, message: [UInt8])]
    let report: LockReport
    var next = 0
    let start = ContinuousClock.now

    init(link: any ATTLink, mtu: Int, steps: [(fromClient: Bool, usdio: Bool, message: [UInt8])], report: LockReport) {
        profile = NukiGATTProfile(nukiID: 0x2A37_599A)
        server = GATTServer(database: profile.database)
        connection = server.connect(configuration: .init(localMTU: mtu))
        self.link = link
        self.steps = steps
        self.report = report
    }

    var now: Duration { ContinuousClock.now - start }

    /// Handles every PDU that arrives within `timeout`; false once the link is closed.
    mutating func poll(timeout: Duration) -> Bool {
        do {
            while let pdu = try link.receive(timeout: timeout) {
                try handle(server.receive(pdu, from: connection, at: now))
            }
            return true
        } catch {
            return false
        }
    }

    private mutating func handle(_ events: [GATTServer.Event]) throws {
        for event in events {
            switch event {
            case .send(_, let octets):
                try link.send(octets)
            case .valueWritten(_, let characteristic, let value):
                report.written.withLock { $0.append(value) }
                guard next < steps.count, steps[next].fromClient,
                    characteristic == (steps[next].usdio ? profile.keyturnerUSDIO : profile.pairingGDIO),
                    value == steps[next].message
                else {
                    report.problems.withLock { $0.append("unexpected write of \(value.count) octets on \(characteristic.uuid) at step \(next)") }
                    continue
                }
                next += 1
                while next < steps.count, !steps[next].fromClient {
                    let target = steps[next].usdio ? profile.keyturnerUSDIO : profile.pairingGDIO
                    try handle(server.indicate(steps[next].message, on: target, to: connection, at: now))
                    next += 1
                }
            case .indicationTimeout, .protocolViolation:
                report.problems.withLock { $0.append("\(event)") }
            default:
                break
            }
        }
    }
}

/// The phone end: a GATTClient on a link. `idle` runs between polls (the in-process lock).
struct Phone {
    var client = GATTClient()
    let link: any ATTLink
    var idle: () -> Void
    var received: [UInt16: [UInt8]] = [:]
    var indicationCount = 0
    var events: [GATTClient.Event] = []
    let start = ContinuousClock.now

    struct Stuck: Error, CustomStringConvertible { let description: String }

    init(link: any ATTLink, idle: @escaping () -> Void) {
        self.link = link
        self.idle = idle
    }

    mutating func handle(_ events: [GATTClient.Event]) throws {
        for event in events {
            switch event {
            case .send(let octets): try link.send(octets)
            case .indication(let handle, let value):
                received[handle, default: []] += value
                indicationCount += 1
            default: self.events.append(event)
            }
        }
    }

    mutating func run(until done: (Phone) -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !done(self) {
            idle()
            if let pdu = try link.receive(timeout: .milliseconds(2)) {
                try handle(client.receive(pdu, at: ContinuousClock.now - start))
            }
            guard ContinuousClock.now < deadline else { throw Stuck(description: "no progress; events \(events)") }
        }
    }

    mutating func perform(_ procedure: GATTClient.Procedure) throws {
        try handle(client.perform(procedure, at: ContinuousClock.now - start))
        try run { $0.client.isIdle }
        if case .failed(let p, let error)? = events.last { throw Stuck(description: "\(p) failed: \(error)") }
    }
}

/// A GATT client discovers the Nuki layout and exchanges Set A (docs/wire.md §10.1) with a GATT
/// server over each link, at MTU 23 (chunked) and 247; the lock side is captured to btsnoop and,
/// when tshark is installed, dissected.
@Suite struct GATTOverLinkTests {
    enum Kind: String, CaseIterable { case inProcess, socket }

    static func steps() throws -> [(fromClient: Bool, usdio: Bool, message: [UInt8])] {
        let vectors = try SetAVectors.load()
        return try SetAVectors.conversation.map { ($0.fromClient, $0.onUSDIO, try vectors.bytes($0.key)) }
    }

    @Test(arguments: [Kind.inProcess, .socket], [23, 247])
    func setAOverLink(kind: Kind, mtu: Int) throws {
        let dir = try temporaryDirectory("gatt-\(kind.rawValue)-\(mtu)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let steps = try Self.steps()
        let report = LockReport()
        let capturePath = dir + "/lock.btsnoop"
        let writer = try CaptureWriter(path: capturePath)
        var phone: Phone
        var lockDone: DispatchSemaphore?
        var listener: SeqPacketListener?
        switch kind {
        case .inProcess:
            let (lockEnd, phoneEnd) = InProcessLink.pair()
            let lock = Mutex(ScriptedLock(link: CaptureTap(link: lockEnd, writer: writer), mtu: mtu, steps: steps, report: report))
            phone = Phone(link: phoneEnd) { _ = lock.withLock { $0.poll(timeout: .zero) } }
        case .socket:
            // Two threads in one process over a real socket file: the lock accepts and serves on
            // its own thread; the phone connects from the test's thread.
            let bound = try SeqPacketListener(path: dir + "/lock.sock")
            listener = bound
            let done = DispatchSemaphore(value: 0)
            lockDone = done
            let thread = Thread {
                defer { done.signal() }
                guard let accepted = try? bound.accept(timeout: .seconds(5)) else {
                    report.problems.withLock { $0.append("no connection") }
                    return
                }
                var lock = ScriptedLock(link: CaptureTap(link: accepted, writer: writer), mtu: mtu, steps: steps, report: report)
                while lock.poll(timeout: .milliseconds(50)) {}
            }
            thread.start()
            phone = Phone(link: try SeqPacketLink.connect(path: dir + "/lock.sock")) {}
        }

        if mtu > 23 { try phone.perform(.exchangeMTU(clientRxMTU: UInt16(mtu))) }
        #expect(phone.client.mtu == mtu)
        try phone.perform(.discoverAll)
        let profile = NukiGATTProfile(nukiID: 0x2A37_599A)
        #expect(phone.client.services == profile.database.services)
        let pairing = try #require(phone.client.characteristic(NukiUUIDs.pairingGDIO))
        let usdio = try #require(phone.client.characteristic(NukiUUIDs.keyturnerUSDIO))
        try phone.perform(.setIndications(pairing, enabled: true))
        try phone.perform(.setIndications(usdio, enabled: true))

        var expectedIndications = 0
        for step in steps {
            let handle = step.usdio ? usdio.valueHandle : pairing.valueHandle
            if step.fromClient {
                try phone.perform(.write(handle: handle, value: step.message))
                #expect(phone.events.last == .valueWritten(handle: handle))
            } else {
                try phone.run { ($0.received[handle]?.count ?? 0) >= step.message.count }
                #expect(phone.received[handle] == step.message)
                phone.received[handle] = nil
                expectedIndications += step.message.count <= mtu - 3 ? 1 : (step.message.count + mtu - 4) / (mtu - 3)
            }
        }
        #expect(phone.indicationCount == expectedIndications)
        #expect(expectedIndications == (mtu == 23 ? 21 : 7))
        phone.link.close()
        lockDone?.wait()
        listener?.close()
        writer.close()
        #expect(report.problems.withLock { $0 } == [])
        #expect(report.written.withLock { $0 } == steps.filter(\.fromClient).map(\.message))

        if tsharkPath != nil {
            let fields = try dissect(capturePath)
            let writes = Set(fields.filter { $0.opcode == 0x12 }.compactMap(\.handle))
            #expect(writes.isSuperset(of: [0x0004, 0x000B, 0x0003]))
            #expect(fields.filter { $0.opcode == 0x1D }.count == expectedIndications)
            #expect(Set(fields.filter { $0.opcode == 0x1D }.compactMap(\.handle)) == [0x0003, 0x000A])
            let prepared = Set(fields.filter { $0.opcode == 0x16 }.compactMap(\.handle))
            #expect(prepared == (mtu == 23 ? [0x0003, 0x000A] : []))
        }
    }
}
