import BLEATT
import BLEGATT
import LockCore
import LockCrypto
import LockDriver
import LockSession
import LockWire
import NukiProfile
import Testing

/// The glue of both ends and the driver, in memory: a ``LockGATTPeripheral`` and a
/// ``NukiGATTCentral`` wired back to back, every PDU delivered at once.
@Suite struct LockDriverTests {
    static let start = LockInstant(secondsSince1970: 1_772_442_000)

    /// A lock in pairing mode, motor step 0.
    static func lockInPairingMode() throws -> LockSessionEngine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var machine = LockMachine(model: model, nukiID: 7, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: .u16(4321))
        try machine.setClock(to: start.utcDateTime, at: start)
        let random = SeededRandomSource(seed: 42)
        var engine = LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID([UInt8](repeating: 9, count: 16)) ?? .zero, random: random)
        _ = engine.pressButton(heldMilliseconds: 5_000, at: start)
        return engine
    }

    /// Little-endian octets of a handle.
    static func le(_ value: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }

    @Test func driverStopsAtTheFirstRoundThatMovesNothing() throws {
        var moves = 0
        let rounds = try PDUDriver.run("three moves") {
            moves += 1
            return moves <= 3
        }
        #expect(rounds == 4)
        #expect(moves == 4)
    }

    @Test func driverReportsAConversationStillMovingAtItsCap() {
        var rounds = 0
        do {
            try PDUDriver.run("ping-pong") {
                rounds += 1
                return true
            }
            Issue.record("no NotQuiet after \(rounds) rounds")
        } catch {
            #expect(error.what == "ping-pong")
            #expect(error.rounds == 10_000)
            #expect(error.description == "ping-pong still moving after 10000 rounds")
        }
        #expect(rounds == PDUDriver.roundLimit)
    }

    @Test func aClientSetsUpAndPairsThroughBothStacksInMemory() throws {
        var lock = LockGATTPeripheral(engine: try Self.lockInPairingMode())
        let (id, connecting) = lock.connect(at: .zero)
        #expect(connecting.isEmpty)
        var central = NukiGATTCentral()
        var toClient: [[UInt8]] = []
        var writes: [[LockGATTPeripheral.Output]] = []
        func toLock(_ pdu: [UInt8]) throws {
            let outputs = try lock.receive(pdu, from: id, at: .zero, now: Self.start)
            if pdu.first == 0x12 { writes.append(outputs) }
            for case .send(let to, let octets) in outputs where to == id { toClient.append(octets) }
        }
        try central.setUp(clock: { .zero }, send: toLock, next: { toClient.isEmpty ? nil : toClient.removeFirst() })
        #expect(central.mtu == 247)
        #expect(central.handles == [
            .pairingGDIO: lock.profile.pairingGDIO.valueHandle, .keyturnerGDIO: lock.profile.keyturnerGDIO.valueHandle,
            .keyturnerUSDIO: lock.profile.keyturnerUSDIO.valueHandle,
        ])
        #expect(central.characteristic(atValueHandle: lock.profile.keyturnerUSDIO.valueHandle) == .keyturnerUSDIO)

        var client = ClientSessionEngine(
            idType: .app, clientID: 0x0A11, name: FixedName("Phone", width: FixedName.nameWidth),
            keyPair: try KeyPair(using: SeededRandomSource(seed: 1)), random: SeededRandomSource(seed: 11))
        var pending = client.startPairing()
        var results: [ClientSessionEngine.Action] = []
        writes.removeAll()
        let rounds = try PDUDriver.run("pairing") {
            var moved = false
            for action in pending {
                moved = true
                guard case .write(let which, let bytes) = action else {
                    results.append(action)
                    continue
                }
                for pdu in (try? central.write(bytes, to: which, at: .zero))?.sends ?? [] { try? toLock(pdu) }
            }
            pending = []
            while !toClient.isEmpty {
                moved = true
                let received = central.receive(toClient.removeFirst(), at: .zero)
                for pdu in received.sends { try? toLock(pdu) }
                for (which, value) in received.indications { pending += client.receive(value, on: which) }
            }
            return moved
        }
        guard case .paired(let credentials)? = results.first else {
            Issue.record("not paired: \(results)")
            return
        }
        #expect(results.count == 1)
        // Five writes (Request Data, Public Key, Authorization Authenticator, Authorization Data,
        // Authorization-ID Confirmation), one round handing back `.paired`, one quiet round.
        #expect(rounds == 7)
        #expect(lock.engine.machine.authorizations.map(\.authID) == [credentials.authID])
        #expect(lock.authID(of: id) == nil)
        // One pass per write: the Write Response first, then the indication its value caused
        // (Request Data(Public Key) → the lock's Public Key 0x0003, 32 octets, CRC).
        let first = try #require(writes.first)
        #expect(first.count == 2)
        #expect(first.first == .send(id, [0x13]))
        guard case .send(let to, let indication)? = first.last else {
            Issue.record("no indication: \(first)")
            return
        }
        #expect(to == id)
        #expect(Array(indication.prefix(5)) == [0x1D] + Self.le(lock.profile.pairingGDIO.valueHandle) + [0x03, 0x00])
        #expect(indication.count == 3 + 2 + 32 + 2)
    }

    @Test func engineActionsLeaveAsIndicationsAndAnUnconfirmedOneDropsTheConnection() throws {
        var lock = LockGATTPeripheral(engine: try Self.lockInPairingMode())
        let (id, _) = lock.connect(at: .zero)
        let usdio = lock.profile.keyturnerUSDIO
        let cccd = try #require(usdio.clientConfigurationHandle)
        // Indications off: nothing to send the message on.
        #expect(lock.route([.indicate(LockGATTPeripheral.engineID(id), .keyturnerUSDIO, [1, 2, 3])], at: .zero) == [])
        #expect(try lock.receive([0x12] + Self.le(cccd) + [0x02, 0x00], from: id, at: .zero, now: Self.start) == [.send(id, [0x13])])
        let actions: [LockSessionEngine.Action] = [
            .indicate(LockGATTPeripheral.engineID(id), .keyturnerUSDIO, [1, 2, 3]), .event(.pairingModeLeft),
            .refused(LockGATTPeripheral.engineID(id), .badLength, command: .lockAction, reason: "short"),
            .disconnect(LockGATTPeripheral.engineID(id), reason: "revoked"),
        ]
        #expect(lock.route(actions, at: .zero) == [
            .send(id, [0x1D] + Self.le(usdio.valueHandle) + [1, 2, 3]), .event(.pairingModeLeft),
            .refused(id, .badLength, command: .lockAction, reason: "short"), .drop(id, reason: "revoked"),
        ])
        #expect(lock.tick(now: .seconds(29)) == [])
        #expect(lock.tick(now: .seconds(31)) == [.drop(id, reason: "indication timeout")])
        lock.disconnect(id)
        #expect(throws: GATTError.self) { try lock.receive([0x1E], from: id, at: .seconds(32), now: Self.start) }
    }
}
