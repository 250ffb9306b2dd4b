import LockCore
import LockCrypto
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import NukiProfile
import Testing

/// A lock engine and one emulated peripheral in memory, on a virtual clock.
struct Bench<P: EmulatedPeripheral> {
    var lock: LockSessionEngine
    var peripheral: P
    let connection: ConnectionID
    var now: LockInstant
    var feedback: [PeripheralFeedback] = []
    /// The NFC card in the peripheral's reader field, if any.
    var card: NFCCardApplication?

    /// Delivers `actions` (writes to the lock, replies back) until quiet; collects feedback.
    mutating func run(_ actions: [PeripheralAction]) {
        var pending = actions
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .feedback(let f): feedback.append(f)
            case .readCard(let challenge):
                if var c = card {
                    let read = Result { () throws(NFCError) -> NFCCardRead in try NFCCardReader.read(challenge: challenge, uid: [8, 1, 2, 3], over: &c) }
                    card = c
                    pending += peripheral.cardRead(read, at: now)
                } else {
                    pending += peripheral.cardRead(.failure(NFCError(.noCard, "no card")), at: now)
                }
            case .write(let c, let bytes):
                for reply in lock.receive(bytes, on: c, from: connection, at: now) {
                    if case .indicate(let id, let c, let b) = reply, id == connection {
                        pending += peripheral.receive(b, on: c, at: now)
                    }
                }
            }
        }
    }

    mutating func advance(by ms: Int64) {
        now = now.adding(milliseconds: ms)
        var replies: [PeripheralAction] = []
        for reply in lock.advance(to: now) {
            if case .indicate(let id, let c, let b) = reply, id == connection { replies += peripheral.receive(b, on: c, at: now) }
        }
        run(replies + peripheral.tick(at: now))
    }

    mutating func takeFeedback() -> [PeripheralFeedback] {
        defer { feedback = [] }
        return feedback
    }
}

enum Fixture {
    static let start = LockInstant(secondsSince1970: 1_772_442_000)  // Monday 2026-03-02 09:00 UTC
    static let pin = SecurityPIN.u16(4321)

    static func lock(motorStep: Int64 = 0) throws -> LockSessionEngine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = motorStep
        var machine = LockMachine(model: model, nukiID: 7, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: pin)
        try machine.setClock(to: start.utcDateTime, at: start)
        let random = SeededRandomSource(seed: 42)
        var engine = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID([UInt8](repeating: 9, count: 16))!, random: random)
        _ = engine.pressButton(heldMilliseconds: 5_000, at: start)
        return engine
    }

    /// A lock with one keypad code added by an admin engine, then in pairing mode again.
    static func lockWithCode(_ code: UInt32) throws -> LockSessionEngine {
        var lock = try lock()
        var machine = lock.machine
        machine.restoreAuthorization(Authorization(authID: 100, idType: .app, clientID: 100, name: FixedName("Admin", width: 32), dateCreated: .unset))
        _ = try machine.handle(.addKeypadCode(AddKeypadCode(code: code, name: FixedName("Code", width: 20), restriction: .unrestricted, challenge: .zero, securityPIN: pin)), from: 100, at: start)
        lock = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: SeededRandomSource(seed: 42)), lockUUID: lock.lockUUID, keys: [100: try SharedKey(rawBytes: [UInt8](repeating: 3, count: 32))], random: SeededRandomSource(seed: 43))
        _ = lock.pressButton(heldMilliseconds: 5_000, at: start)
        return lock
    }

    static func keypad() throws -> KeypadEmulator {
        KeypadEmulator(keypadID: 0x4B50, keyPair: try KeyPair(using: SeededRandomSource(seed: 5)), random: SeededRandomSource(seed: 6))
    }

    static func fob() throws -> FobEmulator {
        FobEmulator(fobID: 0xF0B, keyPair: try KeyPair(using: SeededRandomSource(seed: 7)), random: SeededRandomSource(seed: 8))
    }
}

@Suite struct KeypadEmulatorTests {
    static func paired(code: UInt32 = 456_789) throws -> Bench<KeypadEmulator> {
        var bench = Bench(lock: try Fixture.lockWithCode(code), peripheral: try Fixture.keypad(), connection: ConnectionID(1), now: Fixture.start)
        bench.run(bench.peripheral.pair())
        #expect(bench.takeFeedback() == [.paired(authID: 101)])
        #expect(bench.lock.machine.authorization(101)?.idType == .keypad)
        return bench
    }

    @Test func rightCodeUnlocks() throws {
        var bench = try Self.paired()
        bench.run(bench.peripheral.enter(code: 456_789, at: bench.now))
        #expect(bench.takeFeedback() == [.accepted(.keypadAction)])
        #expect(bench.lock.machine.lockState == .unlocked)
    }

    @Test func lockKeyLocksWithoutACode() throws {
        var bench = try Self.paired()
        bench.run(bench.peripheral.enter(code: 456_789, at: bench.now))
        _ = bench.takeFeedback()
        bench.run(bench.peripheral.press(.lock, at: bench.now))
        #expect(bench.takeFeedback() == [.accepted(.keypadAction)])
        #expect(bench.lock.machine.lockState == .locked)
    }

    @Test func wrongCodesWalkIntoTheLockoutWithItsRemainingTime() throws {
        var bench = try Self.paired()
        for _ in 0..<4 {
            bench.run(bench.peripheral.enter(code: 999_999, at: bench.now))
            #expect(bench.takeFeedback() == [.wrongCode])
        }
        bench.run(bench.peripheral.enter(code: 999_999, at: bench.now))
        #expect(bench.takeFeedback() == [.lockedOut(.codeInvalidTimeout1, remainingMilliseconds: 30_000)])
        bench.advance(by: 10_000)
        bench.run(bench.peripheral.enter(code: 456_789, at: bench.now))
        #expect(bench.takeFeedback() == [.lockedOut(.codeInvalidTimeout1, remainingMilliseconds: 20_000)])
        #expect(bench.lock.machine.lockState == .locked)
    }

    @Test func slowTypingDiscardsThePartialEntry() throws {
        var bench = try Self.paired()
        bench.run(bench.peripheral.press(.digit(4), at: bench.now))
        bench.run(bench.peripheral.press(.digit(5), at: bench.now.adding(milliseconds: 1_000)))
        bench.advance(by: 6_001)
        #expect(bench.takeFeedback() == [.entryTimedOut(digits: 2)])
        #expect(bench.peripheral.entry.isEmpty)
    }

    @Test func lowBatteryIsSignalledOnce() throws {
        var bench = try Self.paired()
        bench.peripheral.battery.set(percent: 20)
        bench.run(bench.peripheral.press(.lock, at: bench.now))
        #expect(bench.takeFeedback() == [.lowBattery(percent: 19), .accepted(.keypadAction)])
        bench.run(bench.peripheral.press(.lock, at: bench.now))
        #expect(bench.takeFeedback() == [.accepted(.keypadAction)])
    }

    @Test func keysParseFromText() {
        #expect(KeypadKey.parse("456789L") == [.digit(4), .digit(5), .digit(6), .digit(7), .digit(8), .digit(9), .lock])
        #expect(KeypadKey.parse("120") == nil)
    }
}

@Suite struct FobEmulatorTests {
    static func paired() throws -> Bench<FobEmulator> {
        var bench = Bench(lock: try Fixture.lock(), peripheral: try Fixture.fob(), connection: ConnectionID(2), now: Fixture.start)
        bench.run(bench.peripheral.pair())
        #expect(bench.takeFeedback() == [.paired(authID: 1)])
        return bench
    }

    /// Default Config fob actions: 1 press unlock, 2 lock, 3 lock'n'go.
    @Test func singleDoubleAndTriplePressesMapToFobActions() throws {
        var bench = try Self.paired()
        bench.run(bench.peripheral.press(count: 1, at: bench.now))
        #expect(bench.takeFeedback() == [.accepted(.lockAction)])
        #expect(bench.lock.machine.lockState == .unlocked)
        bench.run(bench.peripheral.press(count: 2, at: bench.now))
        #expect(bench.takeFeedback() == [.accepted(.lockAction)])
        #expect(bench.lock.machine.lockState == .locked)
        bench.run(bench.peripheral.press(count: 3, at: bench.now))
        #expect(bench.lock.machine.lockState == .unlockedLockNGo, "lock'n'go holds the door unlocked for its timeout")
        bench.advance(by: 60_000)
        #expect(bench.takeFeedback() == [.accepted(.lockAction)])
        #expect(bench.lock.machine.lastLockAction == .lockNGo)
        #expect(bench.lock.machine.lockState == .locked)
    }

    @Test func pressesWaitForTheWindowToClose() throws {
        var bench = try Self.paired()
        bench.run(bench.peripheral.press(at: bench.now))
        #expect(bench.peripheral.pendingPresses == 1)
        bench.advance(by: 300)
        bench.run(bench.peripheral.press(at: bench.now))
        #expect(bench.peripheral.pendingPresses == 2)
        bench.advance(by: 601)
        #expect(bench.peripheral.pendingPresses == 0)
        #expect(bench.lock.machine.lastLockAction == .lock)
    }
}

@Suite struct HostileClientTests {
    @Test func everyAttackGetsTheDocumentedAnswer() throws {
        var bench = try FobEmulatorTests.paired()
        let credentials = try #require(bench.peripheral.credentials)
        let random = SeededRandomSource(seed: 99)
        let before = bench.lock.machine

        func answer(_ bytes: [UInt8]) throws -> (NukiErrorCode?, Characteristic?) {
            for reply in bench.lock.receive(bytes, on: .keyturnerUSDIO, from: bench.connection, at: bench.now) {
                guard case .indicate(_, let c, let b) = reply else { continue }
                if c == .keyturnerGDIO { return (try ErrorReport(payload: try PlainFrame.decode(b).payload).errorCode, c) }
                let plain = try EncryptedMessageCodec.open(b) { _ in credentials.sharedKey }
                if plain.command == .errorReport { return (try ErrorReport(payload: plain.payload).errorCode, c) }
            }
            return (nil, nil)
        }

        let stale = try HostileClient.staleChallenge({ .lockAction(LockActionRequest(action: .fobAction1, appID: 0xF0B, challenge: $0)) }, credentials: credentials, random: random)
        #expect(try answer(stale).0 == .badNonce)
        #expect(try answer(HostileClient.replay(stale)).0 == .badNonce)
        #expect(try answer(HostileClient.badMAC(stale)) == (.notAuthorized, .keyturnerGDIO))
        #expect(try answer(HostileClient.wrongAuthID(stale, authID: 77)) == (.notAuthorized, .keyturnerGDIO))
        #expect(try answer(HostileClient.badLength(stale, delta: 1)).0 == .badLength)
        #expect(try answer(HostileClient.badCRC(.requestData(RequestData(requestedCommand: .keyturnerStates)), credentials: credentials, random: random)).0 == .badCRC)
        #expect(try answer(HostileClient.oversizedFragment()).0 == .badLength)
        for frame in HostileClient.outOfOrderPairing() {
            let replies = bench.lock.receive(frame, on: .pairingGDIO, from: ConnectionID(9), at: bench.now)
            #expect(replies.contains { if case .refused(_, .unknown, _, _) = $0 { return true } else { return false } })
        }
        #expect(bench.lock.machine == before, "no attack changed the lock")
        // The fob still works afterwards.
        bench.run(bench.peripheral.press(count: 1, at: bench.now))
        #expect(bench.takeFeedback() == [.accepted(.lockAction)])
    }
}
