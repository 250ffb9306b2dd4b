import Foundation
import LockCore
import LockCrypto
import LockPeripherals
import LockHost
import LockSession
import LockWire
import NukiProfile
import Testing

/// docs/attacks.md §B6 (BLE part), §B7, §B8, §B9.
@Suite struct B6toB9Tests {
    static func bench(_ transport: Transport = .engine, motorStep: Int64 = 0, configure: (inout LockMachine) -> Void = { _ in }) throws -> Bench {
        var bench = try Bench(transport: transport, motorStep: motorStep, configure: configure)
        try bench.pair("app", .app)
        try bench.pair("fob", .fob)
        return bench
    }

    // MARK: B6 fob

    @Test func test_F04_replayedFobPressIsBadNonce() throws {
        var bench = try Self.bench()
        let press = bench.request("fob", .lockAction(.fobAction1, appID: 2))
        #expect(press.succeeded)
        #expect(bench.machine.lockState == .unlocked)
        _ = try bench.link.engine.manualTurn(.lock, at: bench.now)
        let before = try bench.snapshot()
        for connection in [try bench.connection("fob"), bench.newConnection()] {
            let replies = bench.raw(try #require(press.written.last?.1), connection: connection)
            #expect(Bench.encryptedErrors(replies, key: try bench.key("fob")) == [.badNonce])
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable("fob")
    }

    @Test func test_F05_clonedFobWithAnotherKeyFailsTheMAC() throws {
        var bench = try Self.bench()
        let cloneKey = try SharedKey(rawBytes: [UInt8](repeating: 0x42, count: 32))
        let before = try bench.snapshot()
        let frame = try Bench.seal(.requestData(RequestData(requestedCommand: .challenge)), authID: try bench.authID("fob"), key: cloneKey)
        #expect(Bench.plainErrors(bench.raw(frame, connection: bench.newConnection())) == [.notAuthorized])
        #expect(try bench.snapshot() == before)
    }

    /// Two live sessions under one fob's auth id (a clone holding the real key): the second is
    /// answered but replaces the first only once it proves freshness (a challenge-bearing command
    /// accepted); then the first is closed, exactly once, with the reason.
    @Test func test_F05_secondSessionOfOneFobReplacesTheFirstOnlyAfterProvingFreshness() throws {
        var bench = try Self.bench()
        let credentials = try #require(bench.clients["fob"]?.engine.credentials)
        bench.expectUsable("fob")
        let fobConnection = try bench.connection("fob")
        let random = SeededRandomSource(seed: 55)
        bench.clients["clone"] = BenchClient(
            engine: ClientSessionEngine(idType: .fob, clientID: 2, name: FixedName("fob", width: 32), keyPair: try KeyPair(using: random), random: random, credentials: credentials),
            connection: bench.newConnection())
        // A MAC-valid request without a challenge: answered, and the first session stays.
        let states = bench.request("clone", .keyturnerStates)
        #expect(states.errorCode == nil)
        #expect(!states.actions.contains { if case .disconnect = $0 { true } else { false } })
        bench.expectUsable("fob")
        // A challenge-bearing command accepted on the clone's connection: the first session is closed.
        let press = bench.request("clone", .lockAction(.fobAction1, appID: 2))
        #expect(press.succeeded)
        let closed = press.actions.compactMap { action -> String? in
            if case .disconnect(let id, let reason) = action, id == fobConnection { return reason }
            return nil
        }
        #expect(closed == ["authorization \(try bench.authID("fob")) opened a new session"])
    }

    /// A sniffed encrypted frame replayed on a new connection verifies its MAC but must not evict the
    /// owner's live session (issue: a replay disconnected the real user); the replay itself is
    /// refused with K_ERROR_BAD_NONCE and the owner's session keeps working.
    @Test func test_F05_replayOnANewConnectionLeavesTheOwnersSessionUp() throws {
        var bench = try Self.bench()
        let unlock = bench.request("app", .lockAction(.unlock, appID: 1))
        #expect(unlock.succeeded)
        let sniffed = try #require(unlock.written.last?.1)
        let before = try bench.snapshot()
        let replies = bench.raw(sniffed, connection: bench.newConnection())
        #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.badNonce])
        #expect(!replies.contains { if case .disconnect = $0 { true } else { false } })
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    // MARK: B7 relay and auto unlock

    /// A relayed session (valid crypto, +8 ms per hop on the virtual clock): connecting, fetching
    /// challenges and reading states never unlocks; only an explicit Lock Action does.
    @Test func test_R01_connectionAndFastRepliesNeverUnlock() throws {
        var bench = try Self.bench()
        let before = try bench.snapshot()
        for _ in 0..<20 {
            bench.reconnect("app")
            bench.advance(by: 8)
            _ = try bench.challenge("app")
            bench.advance(by: 8)
            let states = bench.request("app", .keyturnerStates)
            #expect(!Bench.movedTheLock(states.actions))
        }
        #expect(bench.machine.lockState == .locked)
        #expect(bench.machine.lastLockAction == before.machine.lastLockAction)
        #expect(bench.machine.log.entries == before.machine.log.entries)
    }

    @Test func test_R02_repeatedAutoUnlockIsTooRecent() throws {
        var bench = try Self.bench()
        #expect(bench.request("app", .enableAutoUnlock()).succeeded)
        bench.advance(by: LockMachine.autoUnlockCoolDownMilliseconds)
        #expect(bench.request("app", .lockAction(.unlock, appID: 1, flags: .autoUnlock)).succeeded)
        _ = try bench.link.engine.manualTurn(.lock, at: bench.now)
        let before = try bench.snapshot()
        bench.advance(by: LockMachine.autoUnlockCoolDownMilliseconds - 1)
        let again = bench.request("app", .lockAction(.unlock, appID: 1, flags: .autoUnlock))
        #expect(again.errorCode == .autoUnlockTooRecent)
        #expect(bench.machine.lockState == .locked)
        #expect(bench.machine.authorizations == before.machine.authorizations)
        bench.advance(by: 1)
        #expect(bench.request("app", .lockAction(.unlock, appID: 1, flags: .autoUnlock)).succeeded)
    }

    /// An unlock through a whole-session relay succeeds (accepted residual risk) and is logged with
    /// the auth id, the trigger and flags, and the time.
    @Test func test_R04_relayedUnlockIsLoggedForForensics() throws {
        var bench = try Self.bench()
        #expect(bench.request("app", .enableAutoUnlock()).succeeded)
        bench.advance(by: LockMachine.autoUnlockCoolDownMilliseconds + 8)
        let time = try #require(bench.machine.lockTime(at: bench.now)).utcDateTime
        #expect(bench.request("app", .lockAction(.unlock, appID: 1, flags: .autoUnlock)).succeeded)
        let entry = try #require(bench.machine.log.entries.last)
        #expect(entry.authID == (try bench.authID("app")))
        #expect(entry.timestamp == time)
        guard case .lockAction(let log) = entry.event else {
            Issue.record("\(entry.event)")
            return
        }
        #expect(log.action == .unlock && log.flags == LockActionFlags.autoUnlock.rawValue && log.completionStatus == .success)
    }

    // MARK: B8 resource exhaustion

    @Test func test_X01_keypadCodesPastCapacityAreTooManyEntries() throws {
        var bench = try Self.bench()
        var added: [UInt32] = []
        var code: UInt32 = 311_111
        while added.count < 100 {
            if KeypadCode.isValidFormat(code) {
                #expect(bench.request("app", .addKeypadCode(code)).errorCode == nil)
                added.append(code)
            }
            code += 1
        }
        let before = try bench.snapshot()
        #expect(bench.request("app", .addKeypadCode(987_654)).errorCode == .tooManyEntries)
        #expect(try bench.snapshot() == before)
        #expect(bench.machine.keypadCodes.codes.map(\.code) == added)
    }

    /// 10^5 logged failures (wrong keypad codes, the clock moved past each lockout) on the lock
    /// core: the log stays a ring of its capacity, the dropped ones are counted, the state file stays bounded.
    @Test func test_X02_logIsABoundedRingWithDropCounter() throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var m = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: Bench.pin)
        try m.setClock(to: Bench.start.utcDateTime, at: Bench.start)
        m.restoreAuthorization(Authorization(authID: 2, idType: .keypad, clientID: 2, name: FixedName("Keypad", width: 32), dateCreated: .unset))
        var now = Bench.start
        let attempts = 100_000
        for _ in 0..<attempts {
            if let lockout = m.keypadLockout.active(at: now) { now = now.adding(milliseconds: lockout.remainingMilliseconds) }
            _ = try? m.handle(.keypadAction(KeypadActionRequest(source: .code, code: 211_111, action: .unlock, challenge: .zero)), from: 2, at: now)
        }
        #expect(m.log.entries.count == m.log.capacity)
        #expect(m.log.droppedCount == UInt64(attempts - m.log.capacity))
        #expect(m.log.nextIndex == UInt32(attempts + 1))
        #expect(m.keypadLockout.consecutiveFailures == attempts)
        let encoded = try JSONEncoder().encode(m)
        #expect(encoded.count < 2 << 20, "state of \(encoded.count) bytes")
    }

    @Test func test_X03_usersPastMaximumAreMaxUser() throws {
        var bench = try Bench { $0.maxAuthorizations = 2 }
        try bench.pair("app", .app)
        try bench.pair("fob", .fob)
        let users = bench.machine.authorizations
        try bench.addClient("more", .keypad, clientID: 9)
        bench.press()
        #expect(bench.pairing("more").failure?.code == .refused(.maxUser))
        #expect(bench.machine.authorizations == users)
        // The invite path of the keyturner channel is refused too (K_ERROR_TOO_MANY_ENTRIES there).
        let invite = bench.request("app", .with(.authorizationDataInvite, final: [.authorizationIDInvite]) {
            Samples.message(.authorizationDataInvite, challenge: $0) ?? .requestConfig(RequestConfig(challenge: $0))
        })
        #expect(invite.errorCode == .tooManyEntries)
        #expect(bench.machine.authorizations == users)
    }

    /// 2,000 half-open pairings and 2,000 connections holding a challenge: no deadlock, nothing
    /// granted, and the admin still connects and acts.
    @Test func test_X04_halfOpenSessionsDoNotLockOutTheAdmin() throws {
        var bench = try Self.bench()
        bench.press()
        let intruder = try KeyPair(using: SeededRandomSource(seed: 404))
        for _ in 0..<2_000 {
            let c = bench.newConnection()
            _ = bench.raw(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, connection: c)
            _ = bench.raw(PlainFrame(PublicKey(key: intruder.publicKey)).encoded(), on: .pairingGDIO, connection: c)
            let challenge = try Bench.seal(.requestData(RequestData(requestedCommand: .challenge)), authID: try bench.authID("fob"), key: try bench.key("fob"), seed: UInt64(c.rawValue))
            _ = bench.raw(challenge, connection: bench.newConnection())
        }
        #expect(bench.machine.authorizations.count == 2)
        bench.reconnect("app")
        #expect(bench.request("app", .lockAction(.unlock, appID: 1)).succeeded)
        #expect(bench.machine.lockState == .unlocked)
        bench.expectUsable("fob")
    }

    @Test func test_X05_hugeCountsArePagedAndCapped() throws {
        var bench = try Self.bench()
        for _ in 0..<150 { _ = bench.request("app", .lockAction(.unlock, appID: 1)); _ = bench.request("app", .lockAction(.lock, appID: 1)) }
        #expect(bench.machine.log.entries.count >= 300)
        let log = bench.request("app", .requestLogEntries(count: 0xFFFF))
        let entries = log.actions.isEmpty ? [] : Bench.encrypted(log.actions, key: try bench.key("app")).filter { $0.command == .logEntry }
        #expect(entries.count == LockLog.maxEntriesPerRequest)
        let codes = bench.request("app", .with(.requestKeypadCodes) { .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 0xFFFF, challenge: $0, securityPIN: Bench.pin)) })
        #expect(codes.succeeded)
        let users = bench.request("app", .with(.requestAuthorizationEntries) { .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 0xFFFF, challenge: $0, securityPIN: Bench.pin)) })
        #expect(Bench.encrypted(users.actions, key: try bench.key("app")).filter { $0.command == .authorizationEntry }.count == 2)
    }

    @Test func test_X06_commandsWhileTheMotorRunsAreBusy() throws {
        var bench = try Self.bench(motorStep: 500)
        let started = bench.request("app", .lockAction(.unlock, appID: 1))
        #expect(started.events.contains { if case .lockActionStarted = $0 { return true } else { return false } })
        bench.advance(by: 500)
        bench.clients["app"]?.engine.cancel()  // the app stops waiting for COMPLETE and sends more
        let machine = bench.machine
        #expect(bench.request("fob", .lockAction(.fobAction2, appID: 2)).errorCode == .busy)
        #expect(bench.request("app", .with(.requestCalibration) { .requestCalibration(RequestCalibration(challenge: $0, securityPIN: Bench.pin)) }).errorCode == .busy)
        #expect(bench.machine.lockState == machine.lockState && bench.machine.isBusy)
        bench.advance(by: 5_000)
        #expect(bench.machine.lockState == .unlocked && !bench.machine.isBusy)
    }

    // MARK: B9 state-machine confusion

    @Test(arguments: Transport.allCases)
    func test_S01_keyturnerCommandsBeforePairingAreNotAuthorized(transport: Transport) throws {
        var bench = try Bench(transport: transport)
        let stranger = try SharedKey(rawBytes: [UInt8](repeating: 0x33, count: 32))
        let before = try bench.snapshot()
        for authID in [UInt32(1), 2, 0] {
            for message in [NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: .zero)), .requestData(RequestData(requestedCommand: .challenge))] {
                let replies = bench.raw(try Bench.seal(message, authID: authID, key: stranger), connection: bench.newConnection())
                #expect(Bench.plainErrors(replies) == [.notAuthorized])
                #expect(!Bench.movedTheLock(replies))
            }
        }
        #expect(try bench.snapshot() == before)
    }

    @Test(arguments: Transport.allCases)
    func test_S02_wrongCharacteristicIsRefused(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let connection = try bench.connection("app")
        let encrypted = try bench.sealed("app", .requestData(RequestData(requestedCommand: .keyturnerStates)))
        let before = try bench.snapshot()
        #expect(Bench.plainErrors(bench.raw(encrypted, on: .pairingGDIO, connection: connection), on: .pairingGDIO).count == 1)
        #expect(Bench.plainErrors(bench.raw(PlainFrame(RequestData(requestedCommand: .keyturnerStates)).encoded(), connection: connection)) == [.badLength])
        #expect(Bench.plainErrors(bench.raw(encrypted, on: .keyturnerGDIO, connection: connection)) == [.unknown])
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    @Test(arguments: Transport.allCases)
    func test_S03_commandWithoutOrWithStaleChallengeIsBadNonce(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let credentials = try #require(bench.clients["app"]?.engine.credentials)
        let connection = try bench.connection("app")
        let before = try bench.snapshot()
        let unissued = try HostileClient.staleChallenge({ .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: $0)) }, credentials: credentials, random: SeededRandomSource(seed: 3))
        #expect(Bench.encryptedErrors(bench.raw(unissued, connection: connection), key: credentials.sharedKey) == [.badNonce])
        let used = try bench.challenge("app")
        _ = bench.raw(try bench.sealed("app", .verifySecurityPIN(VerifySecurityPIN(challenge: used, securityPIN: Bench.pin))), connection: connection)
        let stale = try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: used)))
        #expect(Bench.encryptedErrors(bench.raw(stale, connection: connection), key: credentials.sharedKey) == [.badNonce])
        #expect(bench.machine.lockState == .locked)
        #expect(bench.machine.authorizations == before.machine.authorizations)
        bench.expectUsable("app")
    }

    /// The issued challenge with one late byte wrong (index 4, 16 or 31) in a Lock Action sealed
    /// correctly: K_ERROR_BAD_NONCE (0x22) exactly, the lock does not move, and the attempt used the
    /// challenge up, so the genuine challenge is refused next. A fresh challenge works.
    @Test(arguments: [4, 16, 31])
    func test_S03_challengeWrongInOneLateByteIsBadNonce(byte: Int) throws {
        var bench = try Self.bench()
        let key = try bench.key("app")
        let connection = try bench.connection("app")
        let before = try bench.snapshot()
        let issued = try bench.challenge("app")
        let wrong = try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: Bench.flipped(issued, at: byte))))
        let replies = bench.raw(wrong, connection: connection)
        #expect(Bench.encryptedErrors(replies, key: key) == [.badNonce])
        #expect(!Bench.movedTheLock(replies))
        let genuine = try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: issued)))
        #expect(Bench.encryptedErrors(bench.raw(genuine, connection: connection), key: key) == [.badNonce])
        #expect(bench.machine.lockState == .locked)
        #expect(try bench.snapshot() == before)
        let fresh = try bench.challenge("app")
        #expect(Bench.movedTheLock(bench.raw(try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: fresh))), connection: connection)))
    }

    @Test func test_S04_pipelinedRequestsAreAnsweredInOrder() throws {
        var bench = try Self.bench()
        let connection = try bench.connection("app")
        var replies: [LockSessionEngine.Action] = []
        let kinds: [Command] = [.keyturnerStates, .batteryReport, .openingsClosingsSummary]
        for i in 0..<60 { replies += bench.raw(try bench.sealed("app", .requestData(RequestData(requestedCommand: kinds[i % 3]))), connection: connection) }
        let answered = Bench.encrypted(replies, key: try bench.key("app")).map(\.command)
        #expect(answered == (0..<60).map { kinds[$0 % 3] })
        // Two challenges pipelined: only the latest is valid.
        let first = try bench.challenge("app")
        let second = try bench.challenge("app")
        let withFirst = bench.raw(try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: first))), connection: connection)
        #expect(Bench.encryptedErrors(withFirst, key: try bench.key("app")) == [.badNonce])
        let withSecond = bench.raw(try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: second))), connection: connection)
        #expect(Bench.encryptedErrors(withSecond, key: try bench.key("app")) == [.badNonce], "the failed command consumed the challenge")
        #expect(bench.machine.lockState == .locked)
        bench.expectUsable("app")
    }

    /// Frames under the auth id a pairing has reserved but not confirmed, sealed with the pairing's
    /// shared key or an all-zero key: refused, no key is installed before the confirmation.
    @Test func test_S05_noKeyBeforePairingCompletes() throws {
        var bench = try Bench()
        bench.press()
        var manual = try B3PairingTests.ManualPairing(&bench, seed: 501)
        let c1 = try manual.exchangeKeys(&bench)
        let c2 = try manual.authenticate(&bench, challenge: c1)
        let reserved = try manual.authorizationData(&bench, challenge: c2)
        let before = try bench.snapshot()
        #expect(!bench.engine.hasKey(for: reserved.authID))
        let zero = try SharedKey(rawBytes: [UInt8](repeating: 0, count: 32))
        for key in [try #require(manual.shared), zero] {
            for message in [NukiMessage.requestData(RequestData(requestedCommand: .challenge)), .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: .zero))] {
                let replies = bench.raw(try Bench.seal(message, authID: reserved.authID, key: key), connection: manual.connection)
                #expect(Bench.plainErrors(replies) == [.notAuthorized])
            }
        }
        #expect(try bench.snapshot() == before)
    }

    @Test func test_S06_disconnectMidTransactionRollsBackAndReconnectNeedsAFreshChallenge() throws {
        var bench = try Self.bench()
        let old = try bench.challenge("app")
        let pending = try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: old)))
        bench.reconnect("app")
        let before = try bench.snapshot()
        #expect(Bench.encryptedErrors(bench.raw(pending, connection: try bench.connection("app")), key: try bench.key("app")) == [.badNonce])
        #expect(try bench.snapshot() == before)
        #expect(bench.request("app", .lockAction(.unlock, appID: 1)).succeeded)
        // A pairing cut half-way cannot be resumed on a new connection.
        bench.press()
        var manual = try B3PairingTests.ManualPairing(&bench, seed: 601)
        let c1 = try manual.exchangeKeys(&bench)
        bench.link.disconnect(manual.connection)
        let authenticator = PairingAuthenticator.authorizationAuthenticator(
            key: try #require(manual.shared), clientPublicKey: manual.keyPair.publicKey, lockPublicKey: try #require(manual.lockKey), challenge: c1)
        let resumed = bench.raw(PlainFrame(AuthorizationAuthenticator(authenticator: authenticator)).encoded(), on: .pairingGDIO, connection: bench.newConnection())
        #expect(Bench.plainErrors(resumed, on: .pairingGDIO) == [.unknown])
        #expect(bench.machine.authorizations.count == 2)
    }

    /// A motor fault in the middle of a run: its requester gets K_ERROR_MOTOR_BLOCKED (0x42), the
    /// lock reports 0xFE; from then on every Lock Action (unlatch, lock, fob) and Keypad Action is
    /// K_ERROR_NOT_CALIBRATED (0x47) and changes nothing, the fault survives a restart (state file),
    /// and only Request Calibration ends it. A lock that was never calibrated refuses the same way.
    @Test func test_S08_lockActionsWhileUncalibratedOrAfterAMotorFaultAreNotCalibrated() throws {
        var bench = try Self.bench(motorStep: 500)
        try bench.pair("keypad", .keypad)
        #expect(bench.request("app", .addKeypadCode(456_789)).messages.last.map(\.command) == .keypadCodeID)
        // The fault interrupts an unlock.
        let started = bench.request("app", .lockAction(.unlock, appID: 1))
        #expect(started.events.contains { if case .lockActionStarted = $0 { return true } else { return false } })
        bench.advance(by: 500)
        bench.clients["app"]?.engine.cancel()
        let fault = bench.link.engine.simulateMotorFault(.motorBlocked, at: bench.now)
        #expect(Bench.encryptedErrors(fault, key: try bench.key("app")) == [.motorBlocked])
        #expect(bench.machine.lockState == .motorBlocked && bench.machine.motorFault == .motorBlocked && !bench.machine.isBusy)
        guard case .lockAction(let logged)? = bench.machine.log.entries.last?.event else {
            Issue.record("the interrupted run is not logged")
            return
        }
        #expect(logged.completionStatus == .motorBlocked)

        let before = try bench.snapshot()
        #expect(bench.request("app", .lockAction(.unlatch, appID: 1)).errorCode == .notCalibrated)
        #expect(bench.request("app", .lockAction(.lock, appID: 1)).errorCode == .notCalibrated)
        #expect(bench.request("fob", .lockAction(.fobAction1, appID: 2)).errorCode == .notCalibrated)
        #expect(bench.request("keypad", .keypadAction(source: .code, code: 456_789, action: .unlock)).errorCode == .notCalibrated)
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")

        // A restart keeps the fault; a state file from before the field existed loads calibrated.
        let saved = try LockStateFile.encode(bench.engine)
        #expect(try LockStateFile.decode(saved, random: SeededRandomSource(seed: 8)).machine.motorFault == .motorBlocked)
        var document = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
        var machine = try #require(document["machine"] as? [String: Any])
        #expect(machine["motorFault"] as? String == "motorBlocked")
        machine["motorFault"] = nil
        document["machine"] = machine
        let older = try JSONSerialization.data(withJSONObject: document)
        #expect(try LockStateFile.decode(older, random: SeededRandomSource(seed: 8)).machine.motorFault == nil)

        // Request Calibration ends it; the lock then moves again.
        let calibration = bench.request("app", .with(.requestCalibration) { .requestCalibration(RequestCalibration(challenge: $0, securityPIN: Bench.pin)) })
        #expect(calibration.errorCode == nil)
        bench.advance(by: 5_000)
        bench.clients["app"]?.engine.cancel()  // COMPLETE went to the lock's outputs, not through the bench
        #expect(bench.machine.motorFault == nil && bench.machine.lockState == .locked)
        let again = bench.request("app", .lockAction(.unlock, appID: 1))
        #expect(again.errorCode == nil && again.events.contains { if case .lockActionStarted = $0 { return true } else { return false } })
        bench.advance(by: 5_000)
        #expect(bench.machine.lockState == .unlocked)

        // Never calibrated: lock state 0x00 and the same refusal.
        var fresh = try Self.bench(configure: { _ = $0.simulateMotorFault(.uncalibrated, at: Bench.start) })
        #expect(fresh.machine.lockState == .uncalibrated)
        #expect(fresh.request("fob", .lockAction(.fobAction1, appID: 2)).errorCode == .notCalibrated)
        #expect(fresh.request("app", .lockAction(.unlatch, appID: 1)).errorCode == .notCalibrated)
    }
}
