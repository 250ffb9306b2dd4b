import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire
import Synchronization
import Testing

/// The loop's bounds (issue "Nothing acknowledged is ever lost, and no client can starve or freeze
/// the lock"): a client that does not read is dropped, not waited for; unauthenticated traffic is
/// held to its budget; the connection table evicts idle unauthenticated connections first and never
/// an authenticated one. The lock runs on its own thread over the socket link.
@Suite(.serialized) struct FairnessTests {
    final class Running: @unchecked Sendable {
        let server: LockServer
        let folder: DiscoveryFolder
        let thread: Thread
        let events = DurabilityTests.Running.Log()

        init(engine: LockSessionEngine? = nil, limits: LockServer.Limits) throws {
            folder = DurabilityTests.folder()
            let events = self.events
            let engine = try engine ?? SocketLinkTests.lock(now: LockServer.wallClock())
            server = try LockServer(engine: engine, folder: folder, statePath: nil, limits: limits) { event in
                if case .disconnected(let id, let reason) = event { events.append("\(id): \(reason)") }
            }
            let box = DurabilityTests.UncheckedServer(server: server)
            thread = Thread { box.server.run() }
            thread.start()
        }

        func stop() {
            server.controls.stop()
            while thread.isExecuting { Thread.sleep(forTimeInterval: 0.005) }
            server.stop()
        }

        var socket: String { DiscoveryScanner(folder: folder).scan().first?.record.socket ?? "" }

        /// Waits up to `seconds` for `condition`.
        func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return condition()
        }
    }

    /// ATT Read Request of the Device Name (handle 0x0003): answered with a Read Response.
    static let readRequest: [UInt8] = [0x0A, 0x03, 0x00]

    @Test func aClientThatDoesNotReadIsDroppedWhileOthersAreServed() throws {
        var limits = LockServer.Limits()
        limits.outboundQueueLimit = 8
        limits.unauthenticatedPerConnection = .init(perSecond: 1_000_000, burst: 1_000_000)
        limits.unauthenticatedTotal = .init(perSecond: 1_000_000, burst: 1_000_000)
        let running = try Running(limits: limits)
        defer { running.stop() }
        let deaf = try SeqPacketLink.connect(path: running.socket)
        var sent = 0
        // The lock answers each with an Error Response; the socket takes ~280 of them, then the
        // lock's queue grows until it drops the connection, and the sends fail.
        while sent < 20_000, (try? deaf.send(Self.readRequest)) != nil { sent += 1 }
        #expect(sent < 20_000)
        #expect(running.wait(30) { running.events.all.contains { $0.hasSuffix("PDUs queued: the client does not read") } }, "\(running.events.all), sent \(sent)")
        // The lock kept serving: a keypad pairs and its code is refused as wrong, as usual.
        _ = try Self.authenticatedKeypad(running)
    }

    @Test func unauthenticatedTrafficIsHeldToItsBudget() throws {
        var limits = LockServer.Limits()
        limits.unauthenticatedPerConnection = .init(perSecond: 20, burst: 5)
        let running = try Running(limits: limits)
        defer { running.stop() }
        let link = try SeqPacketLink.connect(path: running.socket)
        let start = Date()
        for _ in 0..<40 { try link.send(Self.readRequest) }
        var answers = 0
        var worst = 0.0
        while answers < 40, Date().timeIntervalSince(start) < 30 {
            guard (try link.receive(timeout: .milliseconds(50))) != nil else { continue }
            answers += 1
            // Never more than the burst plus what the rate allows since the start.
            let allowed = 5 + 20 * Date().timeIntervalSince(start) + 1
            worst = max(worst, Double(answers) - allowed)
        }
        #expect(answers == 40)
        #expect(worst <= 0, "answered \(worst) more than the budget allows")
        #expect(Date().timeIntervalSince(start) >= 35.0 / 20 - 0.1)
    }

    @Test func theTableEvictsTheIdlestUnauthenticatedConnectionAndNeverAnAuthenticatedOne() throws {
        var limits = LockServer.Limits()
        limits.maxConnections = 3
        limits.setUpGrace = .zero
        let running = try Running(limits: limits)
        defer { running.stop() }
        // An authenticated keypad (paired, then a Keypad Action binds its connection).
        var (client, keypad) = try Self.authenticatedKeypad(running)
        // Two idle unauthenticated connections fill the table; the second then speaks.
        let idle = try SeqPacketLink.connect(path: running.socket)
        Thread.sleep(forTimeInterval: 0.05)
        let talking = try SeqPacketLink.connect(path: running.socket)
        try talking.send(Self.readRequest)
        #expect(try talking.receive(timeout: .seconds(10)) != nil)
        // A newcomer evicts the idle one, not the talking one, not the keypad.
        let newcomer = try SeqPacketLink.connect(path: running.socket)
        #expect(running.wait(10) { running.events.all.contains { $0.hasSuffix("connection table full (3): evicted as the longest idle unauthenticated connection") } })
        #expect(Self.isClosed(idle))
        try newcomer.send(Self.readRequest)
        #expect(try newcomer.receive(timeout: .seconds(10)) != nil)
        #expect(try client.run(&keypad, start: keypad.enter(code: 999_999, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.wrongCode])
        withExtendedLifetime(talking) {}
    }

    /// Issue 17: "a paired client's set-up never evicted". The table (2) holds a connection older
    /// than the set-up grace that never spoke, and a keypad client that has just set up GATT (MTU,
    /// discovery, CCCDs: not authenticated yet). The first newcomer evicts the old connection; the
    /// second finds only connections still within their grace and is turned away; the keypad then
    /// pairs on the connection it set up.
    @Test func aClientSettingUpIsNeverEvictedForNewcomers() throws {
        var limits = LockServer.Limits()
        limits.maxConnections = 2
        limits.setUpGrace = .seconds(2)
        let running = try Running(limits: limits)
        defer { running.stop() }
        let old = try SeqPacketLink.connect(path: running.socket)
        Thread.sleep(forTimeInterval: 2.5)
        let client = try PeripheralClient(folder: running.folder)
        let first = try SeqPacketLink.connect(path: running.socket)
        #expect(running.wait(10) { running.events.all.contains { $0.hasSuffix("connection table full (2): evicted as the longest idle unauthenticated connection") } })
        #expect(Self.isClosed(old))
        let second = try SeqPacketLink.connect(path: running.socket)
        #expect(running.wait(10) { Self.isClosed(second) })
        #expect(running.events.all.count == 1, "\(running.events.all)")
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        #expect(try client.run(&keypad, start: keypad.pair()) == [.paired(authID: 51)])
        withExtendedLifetime(first) {}
    }

    @Test func aNewcomerIsTurnedAwayWhenEveryConnectionIsAuthenticated() throws {
        var limits = LockServer.Limits()
        limits.maxConnections = 1
        let running = try Running(limits: limits)
        defer { running.stop() }
        var (client, keypad) = try Self.authenticatedKeypad(running)
        let newcomer = try SeqPacketLink.connect(path: running.socket)
        #expect(running.wait(10) { Self.isClosed(newcomer) })
        #expect(try client.run(&keypad, start: keypad.enter(code: 999_999, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.wrongCode])
        #expect(running.events.all.isEmpty)
    }

    /// A keypad paired with the lock whose connection a refused Keypad Action has bound (authenticated).
    static func authenticatedKeypad(_ running: Running) throws -> (PeripheralClient, KeypadEmulator) {
        let client = try PeripheralClient(folder: running.folder)
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        #expect(try client.run(&keypad, start: keypad.pair()) == [.paired(authID: 51)])
        #expect(try client.run(&keypad, start: keypad.enter(code: 999_999, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.wrongCode])
        return (client, keypad)
    }

    /// Whether the lock closed `link` (its next receive reports the close).
    static func isClosed(_ link: SeqPacketLink) -> Bool {
        do {
            while try link.receive(timeout: .milliseconds(200)) != nil {}
            return false
        } catch {
            return error.code == .closed
        }
    }
}
