import Foundation
@testable import LockFuzzing
import LockCore
import LockSession
import LockWire
import Testing

/// The stateful targets (session, pairing, state file): their seeds pass, their fixtures are what
/// they claim, and their invariants fire on a lock with a planted authorization bug.
@Suite struct StatefulHarnessTests {
    static let transcript: [String: [UInt8]] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/SetA.json")
        guard let data = try? Data(contentsOf: url),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let hex = json["hex"] as? [String: String]
        else { return [:] }
        return hex.compactMapValues { Hex.decode($0) }
    }()

    @Test func normalBuildsHaveNoPlantedBug() throws {
        let fixture = try #require(SessionFixture.shared)
        #expect(fixture.plantedBug == nil)
        #expect(fixture.machine.authorization(fixture.fobAuthID)?.idType == .fob)
        #expect(fixture.machine.authorization(fixture.appAuthID)?.idType == .app)
        #expect(fixture.machine.authorization(fixture.keypadAuthID)?.idType == .keypad)
        #expect(fixture.machine.keypadCodes.codes.map(\.code) == [SessionFixture.keypadCode])
        #expect(fixture.keyBytes.count == 3)
    }

    @Test(arguments: [FuzzTarget.lockSession, .pairingResponder, .stateFile])
    func generatedSeedsPass(target: FuzzTarget) {
        let seeds = SeedCorpus.seeds(for: target, transcript: Self.transcript)
        #expect(seeds.count >= 5)
        for seed in seeds {
            #expect(target.check(seed[...]) == nil, "\(target) seed of \(seed.count) bytes")
        }
    }

    @Test func theDayInTheLifeSeedReallyUnlocksAndRevokes() throws {
        let seeds = SessionSeeds.lockSession()
        for seed in seeds.prefix(2) {
            #expect(LockSessionHarness.run(seed[...]).violation == nil)
        }
        let day = try #require(seeds.first)
        let machine = try #require(LockSessionHarness.run(day[...]).engine?.machine)
        #expect(machine.authorization(3) == nil, "the fob was revoked")
        #expect(machine.openingsClosings.openingsTotal >= 3)
        #expect(machine.keypadCodes.codes.first?.lockCount == 1)
        #expect(machine.log.entries.count >= 8)
        let lockout = try #require(LockSessionHarness.run(seeds[1][...]).engine?.machine)
        #expect(lockout.keypadCodes.codes.first?.lockCount == 1, "refused during the 30 s lockout, accepted after it")
        #expect(lockout.keypadLockout.consecutiveFailures == 0)
    }

    @Test func seedsFitTheOperationLimit() {
        for seed in SessionSeeds.lockSession() {
            #expect(LockSessionHarness.run(seed[...]).unread == 0, "a seed longer than \(LockSessionHarness.maxOperations) operations")
            #expect(seed.count <= FuzzTarget.lockSession.maxInputLength)
        }
    }

    @Test func everySealedCommandSeedReachesTheMachine() throws {
        // The app's Verify Security PIN with the PIN written in is accepted: the harness's challenge
        // and PIN patching work.
        var script = SessionSeeds.SessionScript()
        script.sealed(.app, .verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(1))))
        script.sealed(.app, .addKeypadCode(AddKeypadCode(
            code: 345_678, name: FixedName("x", width: FixedName.shortNameWidth), restriction: .unrestricted, challenge: .zero,
            securityPIN: .u16(1))))
        let (engine, violation, _) = LockSessionHarness.run(script.bytes[...])
        #expect(violation == nil)
        #expect(engine?.machine.keypadCodes.codes.count == 2)
    }

    /// Op 10 (S-08): a blocked motor interrupts the app's unlock; the lock action after it is refused
    /// and the fault survives a reboot; Request Calibration ends it and the next unlock runs.
    @Test func motorFaultOpBlocksEveryRunUntilCalibration() throws {
        var script = SessionSeeds.SessionScript()
        script.app(.unlock)
        script.motorFault(.motorBlocked)
        script.app(.lock)
        script.reboot()
        let (faulted, violation, _) = LockSessionHarness.run(script.bytes[...])
        #expect(violation == nil)
        #expect(faulted?.machine.motorFault == .motorBlocked && faulted?.machine.lockState == .motorBlocked)
        #expect(faulted?.machine.lastLockActionCompletion == .motorBlocked)
        script.sealed(.app, .requestCalibration(RequestCalibration(challenge: .zero, securityPIN: .u16(4321))))
        script.wait(seconds: 10)
        script.app(.unlock)
        script.wait(seconds: 10)
        let (recovered, after, _) = LockSessionHarness.run(script.bytes[...])
        #expect(after == nil)
        #expect(recovered?.machine.motorFault == nil && recovered?.machine.lockState == .unlocked)
    }

    /// Fuzzing saves and loads the state file at reboot ops only; ``LockSessionHarness/PersistenceCheck/everyOperation``
    /// also after every operation that changed the machine.
    @Test func persistenceCheckRoundTripsAtRebootsOrAfterEveryChange() throws {
        let fixture = try #require(SessionFixture.shared)
        var script = SessionSeeds.SessionScript()
        script.connection(0)  // changes nothing
        script.app(.unlock)  // changes the machine
        script.reboot()
        script.connection(0)  // changes nothing
        script.wait(seconds: 30)  // the unlock completes
        let atReboots = LockSessionHarness.runSession(script.bytes[...], fixture: fixture, persistence: .atReboots)
        #expect(atReboots.violation == nil)
        #expect(atReboots.session?.roundTrips == 1)
        let every = LockSessionHarness.runSession(script.bytes[...], fixture: fixture, persistence: .everyOperation)
        #expect(every.violation == nil)
        // The first connection (the fixture's machine, not yet saved), the unlock, the reboot, the
        // wait; not the second connection, which left the machine as the reboot saved it.
        #expect(every.session?.roundTrips == 4)
        #expect(every.session?.engine.machine == atReboots.session?.engine.machine)
        #expect(every.session?.engine.machine.lockState == .unlocked)
    }

    /// What `swift test` adds to the campaign's check: every committed seed and regression of the
    /// session target with the state file saved and loaded after every operation that changed it.
    @Test func seedsAndRegressionsRoundTripAfterEveryOperation() throws {
        let corpus = CorpusReplayTests.corpus
        let files = CorpusReplayTests.inputs(corpus.appendingPathComponent("LockSession"))
            + CorpusReplayTests.inputs(corpus.appendingPathComponent("Regressions/LockSession"))
        #expect(files.count >= 40)
        var roundTrips = 0
        var atReboots = 0
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            let (session, violation, _) = LockSessionHarness.runSession(bytes[...], fixture: SessionFixture.shared, persistence: .everyOperation)
            #expect(violation == nil, "\(file.lastPathComponent): \(violation.map(String.init(describing:)) ?? "")")
            roundTrips += session?.roundTrips ?? 0
            atReboots += LockSessionHarness.runSession(bytes[...], fixture: SessionFixture.shared, persistence: .atReboots).session?.roundTrips ?? 0
        }
        #expect(roundTrips >= files.count && roundTrips > 3 * atReboots, "\(roundTrips) round trips, \(atReboots) at reboots")
    }

    @Test func plantedFobElevationIsCaughtAsAnUnlockWithoutCredential() throws {
        let planted = try SessionFixture.build(plantedBug: .fobTreatedAsAdmin)
        var script = SessionSeeds.SessionScript()
        script.sealed(.fob, .lockAction, LockActionRequest(action: .unlock, appID: 13, challenge: .zero).encoded())
        #expect(LockSessionHarness.check(script.bytes[...]) == nil, "the real lock refuses it")
        #expect(LockSessionHarness.check(script.bytes[...], fixture: planted)?.name == "lock-action-without-credential")
    }

    @Test func plantedFobElevationIsCaughtAsAnAdminChange() throws {
        let planted = try SessionFixture.build(plantedBug: .fobTreatedAsAdmin)
        var script = SessionSeeds.SessionScript()
        script.sealed(.fob, .addKeypadCode(AddKeypadCode(
            code: 345_678, name: FixedName("x", width: FixedName.shortNameWidth), restriction: .unrestricted, challenge: .zero,
            securityPIN: .u16(1))))
        #expect(LockSessionHarness.check(script.bytes[...]) == nil)
        #expect(LockSessionHarness.check(script.bytes[...], fixture: planted)?.name == "admin-change-from-non-admin")
    }

    @Test func comparisonsNameWhatChanged() throws {
        let fixture = try #require(SessionFixture.shared)
        var other = fixture.machine
        #expect(LockSessionHarness.adminDifference(fixture.machine, other) == nil)
        #expect(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, other) == nil)
        other.settings.pairingEnabled.toggle()
        #expect(LockSessionHarness.adminDifference(fixture.machine, other) == "the settings")
        #expect(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, other) == "settings")
        var unlocked = fixture.machine
        _ = try unlocked.manualTurn(.unlock, at: SessionFixture.start)
        #expect(LockSessionHarness.adminDifference(fixture.machine, unlocked) == nil)
        #expect(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, unlocked)?.contains("lockState") == true)
    }

    /// The "nothing else changed" oracle compares the whole machine: fields it never named (the NFC
    /// time budget, the motor fault) count, and only the failure records a refusal keeps do not.
    @Test func theOracleCoversEveryFieldButTheFailureRecords() throws {
        let fixture = try #require(SessionFixture.shared)
        var budget = fixture.machine
        budget.nfcTimeBudgetMilliseconds = 1_500
        #expect(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, budget) == "nfcTimeBudgetMilliseconds")
        var faulted = fixture.machine
        _ = faulted.simulateMotorFault(.motorBlocked, at: SessionFixture.start)
        let fault = try #require(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, faulted))
        #expect(fault.contains("motorFault"))
        // A wrong security PIN: its failure count and the log change, which a refusal may do.
        var refused = fixture.machine
        let wrong = SecurityPIN.u16(UInt16(truncatingIfNeeded: (fixture.machine.securityPIN.bytes.first.map(Int.init) ?? 0) + 1))
        #expect(throws: LockError.self) {
            _ = try refused.handle(.verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: wrong)), from: fixture.appAuthID, at: SessionFixture.start)
        }
        #expect(refused.pinGuard.consecutiveFailures == fixture.machine.pinGuard.consecutiveFailures + 1)
        #expect(refused != fixture.machine)
        #expect(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, refused) == nil)
        // …but not switch logging off behind the oracle's back.
        var silenced = refused
        silenced.log.enabled.toggle()
        #expect(LockSessionHarness.differenceBesidesFailureRecords(fixture.machine, silenced) == "log")
    }

    @Test func patchingFindsTheChallengeAndThePIN() throws {
        let nonce = try #require(Bytes32([UInt8](repeating: 7, count: 32)))
        let payload = NukiMessage.removeKeypadCode(RemoveKeypadCode(codeID: 1, challenge: .zero, securityPIN: .u16(0))).encodedPayload()
        let withNonce = LockSessionHarness.patch(payload, command: .removeKeypadCode, context: .smartLock, old: { $0.challenge?.bytes }, new: nonce.bytes) {
            $0.challenge == nonce
        }
        let decoded = try NukiMessage.decode(command: .removeKeypadCode, payload: withNonce, context: .smartLock)
        #expect(decoded.challenge == nonce)
        #expect(decoded.securityPIN == .u16(0))
        #expect(LockSessionHarness.patch([1, 2], command: .removeKeypadCode, context: .smartLock, old: { $0.challenge?.bytes }, new: nonce.bytes) { _ in true } == [1, 2])
    }

    @Test func aGenuinePairingAddsOneAuthorizationAndTamperingAddsNone() throws {
        var genuine = SessionSeeds.PairingScript()
        genuine.button()
        genuine.start(slot: 0, identity: 1)
        genuine.deliver(slot: 0, count: 5)
        #expect(PairingHarness.check(genuine.bytes[...]) == nil)
        let fixture = try #require(PairingHarness.Fixture.shared)
        var session = PairingHarness.Session(fixture: fixture)
        var reader = FuzzInputReader(genuine.bytes[...])
        while !reader.isAtEnd { #expect(session.perform(&reader) == nil) }
        #expect(session.engine.machine.authorizations.count == 3)
        #expect(session.slots[1]?.credentials?.authID == 3)

        var tampered = SessionSeeds.PairingScript()
        tampered.button()
        tampered.start(slot: 0, identity: 1)
        tampered.deliver(slot: 0, count: 3)
        tampered.mutate(slot: 0, position: 5, value: 1)
        tampered.deliver(slot: 0, count: 2)
        var second = PairingHarness.Session(fixture: fixture)
        reader = FuzzInputReader(tampered.bytes[...])
        while !reader.isAtEnd { #expect(second.perform(&reader) == nil) }
        #expect(second.engine.machine.authorizations.count == 2)
        #expect(second.tainted.contains(1))
    }

    @Test func pairingOracleFlagsAnAuthorizationNobodyEarned() throws {
        // Plant: the lock stores a new authorization during a button press (as if pairing mode added
        // one by itself). checkStep must refuse it.
        let fixture = try #require(PairingHarness.Fixture.shared)
        var session = PairingHarness.Session(fixture: fixture)
        _ = session.engine.pressButton(heldMilliseconds: 5_000, at: session.now)
        let before = session.engine.machine
        var machine = before
        machine.restoreAuthorization(Authorization(
            authID: 9, idType: .app, clientID: 44, name: FixedName("rogue", width: FixedName.nameWidth), dateCreated: .unset))
        _ = machine.leavePairingMode()
        session.engine = LockSessionEngine(machine: machine, lockKeyPair: fixture.lockKeyPair, lockUUID: fixture.lockUUID, random: session.clientRandom)
        #expect(session.checkStep(before: before, write: nil)?.name == "pairing-authenticators")
        var overfull = machine
        overfull.restoreAuthorization(Authorization(
            authID: 10, idType: .app, clientID: 45, name: FixedName("rogue", width: FixedName.nameWidth), dateCreated: .unset))
        overfull.maxAuthorizations = 10
        session.engine = LockSessionEngine(machine: overfull, lockKeyPair: fixture.lockKeyPair, lockUUID: fixture.lockUUID, random: session.clientRandom)
        #expect(session.checkStep(before: before, write: nil)?.name == "one-pairing-per-mode")
    }

    @Test func stateFileHarnessAcceptsRealFilesAndRefusesBrokenOnes() throws {
        let files = SessionSeeds.stateFiles()
        let first = try #require(files.first)
        #expect(StateFileHarness.check(first[...]) == nil)
        #expect(StateFileHarness.check([UInt8]("{}".utf8)[...]) == nil)
        #expect(StateFileHarness.check([][...]) == nil)
        var text = String(decoding: first, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"schemaVersion\" : 2", with: "\"schemaVersion\" : 3")
        #expect(StateFileHarness.check(Array(text.utf8)[...]) == nil)
    }
}
