import Foundation
import LatchkeyTestSupport
import LockCore
import LockCrypto
import LockEmulator
import LockNFC
import LockPeripherals
import LockHost
import LockSession
import LockWire
import Testing

/// docs/attacks.md §B6, the NFC cases: a fob's NFC card at the keypad's reader, verified by the lock
/// (Keypad Action source 0x80, Latchkey extension). Everything in process on the virtual clock,
/// through the real keypad, fob card application and lock engine (`NFCRoomFixture`); the same
/// protocol over real libnfc and two virtual PN532s is LibNFCTransportTests' end-to-end test.
@Suite struct B6NFCTests {
    /// What a refused tap may change: the log (one entry) only.
    static func expectNothingButALogEntry(_ f: NFCRoomFixture, before: LockMachine, status: CompletionStatus) {
        #expect(f.room.lock.machine.lockState == before.lockState)
        #expect(f.room.lock.machine.nfcCounters == before.nfcCounters)
        #expect(f.room.lock.machine.log.entries.count == before.log.entries.count + 1)
        #expect(f.nfcLog.last?.completionStatus == status)
    }

    @Test func test_F01_knownUIDWithoutOrWithWrongResponseNeverUnlocks() throws {
        var f = try NFCRoomFixture()
        let fobID = try #require(f.authID("fob"))
        let uid = FobEmulator.nfcUID(fobID: 0x0F0B)  // the genuine fob's UID, as a skimmer reads it
        // A tag that only repeats the UID.
        var before = f.room.lock.machine
        #expect(f.tap(.tag(uid: uid)) == [.refused(.notAuthorized)])
        Self.expectNothingButALogEntry(f, before: before, status: .nfcNotAuthentic)
        // The UID plus the fob's credential id and a made-up authenticator and counter (a hostile
        // keypad or an emulator that knows the id).
        before = f.room.lock.machine
        let forged = NFCCardRead(uid: uid, assertion: NFCCardAssertion(
            credentialID: fobID, counter: 1_000, authenticator: Bytes32([UInt8](repeating: 0xA5, count: 32)) ?? .zero))
        #expect(f.tap(.recorded(forged)) == [.refused(.notAuthorized)])
        Self.expectNothingButALogEntry(f, before: before, status: .nfcNotAuthentic)
        // A card with the right id but another key (a clone that guessed).
        before = f.room.lock.machine
        let guessed = NFCCardKey.derive(from: try SharedKey(rawBytes: [UInt8](repeating: 0x42, count: 32)), credentialID: fobID)
        #expect(f.tap(.card(NFCCardApplication(credentialID: fobID, key: guessed), uid: uid)) == [.refused(.notAuthorized)])
        Self.expectNothingButALogEntry(f, before: before, status: .nfcNotAuthentic)
        #expect(f.room.lock.machine.lockState == .locked)
        // The genuine card still works.
        #expect(f.tap() == [.accepted(.keypadAction)])
    }

    @Test func test_F02_recordedResponseReplayedToANewChallengeIsRefused() throws {
        var f = try NFCRoomFixture()
        #expect(f.tap() == [.accepted(.keypadAction)])
        let recorded = try #require(f.room.cardReads.last)
        f.relock()
        for _ in 0..<3 {
            let before = f.room.lock.machine
            #expect(f.tap(.recorded(recorded)) == [.refused(.notAuthorized)])
            Self.expectNothingButALogEntry(f, before: before, status: .nfcNotAuthentic)
        }
        // Also after a reconnect of the keypad (a new session, new challenges).
        f.room.reconnect("keypad")
        let before = f.room.lock.machine
        #expect(f.tap(.recorded(recorded)) == [.refused(.notAuthorized)])
        Self.expectNothingButALogEntry(f, before: before, status: .nfcNotAuthentic)
    }

    @Test func test_F03_repeatedOrRolledBackCounterIsRefusedAndTheHighestKept() throws {
        var f = try NFCRoomFixture()
        let fobID = try #require(f.authID("fob"))
        let credentials = try #require(f.fob?.credentials)
        for _ in 0..<5 {
            #expect(f.tap() == [.accepted(.keypadAction)])
            f.relock()
        }
        #expect(f.room.lock.machine.nfcCounters[fobID] == 5)
        // Cards with the genuine key whose next answer repeats (5) or rolls back (1, 3) the counter:
        // valid authenticators over the fresh challenge, so only the counter can refuse them.
        let key = NFCCardKey.derive(from: credentials.sharedKey, credentialID: fobID)
        for last: UInt32 in [4, 0, 2] {
            let before = f.room.lock.machine
            #expect(f.tap(.card(NFCCardApplication(credentialID: fobID, key: key, counter: last), uid: [8])) == [.refused(.badNonce)])
            Self.expectNothingButALogEntry(f, before: before, status: .nfcCounterNotIncreasing)
        }
        #expect(f.room.lock.machine.nfcCounters[fobID] == 5)
        // The highest counter survives a restart of the lock.
        let restored = try LockStateFile.decode(try LockStateFile.encode(f.room.lock), random: SeededRandomSource(seed: 5))
        #expect(restored.machine.nfcCounters[fobID] == 5)
        // A higher counter is accepted and kept.
        #expect(f.tap() == [.accepted(.keypadAction)])
        #expect(f.room.lock.machine.nfcCounters[fobID] == 6)
    }

    @Test func test_F06_relayBeyondTheTimeBudgetIsRefusedWithinItStillWorks() throws {
        // Budget 300 ms between the lock's challenge and the answer (virtual clock).
        var f = try NFCRoomFixture(timeBudgetMilliseconds: 300)
        let before = f.room.lock.machine
        #expect(f.tap(relayDelayMilliseconds: 301) == [.refused(.notAuthorized)])
        Self.expectNothingButALogEntry(f, before: before, status: .nfcTooSlow)
        // Residual risk, recorded: a relay that adds less than the budget still unlocks.
        #expect(f.tap(relayDelayMilliseconds: 250) == [.accepted(.keypadAction)])
        #expect(f.room.lock.machine.lockState == .unlocked)
        // Without a budget (the default) any delay is accepted.
        var open = try NFCRoomFixture()
        #expect(open.tap(relayDelayMilliseconds: 60_000) == [.accepted(.keypadAction)])
    }

    // MARK: The lock's card-authenticator check, driven directly (Bench)

    /// A lock with an app (admin), a keypad and a fob paired for real, and the fob's genuine card
    /// key (derived from its shared key as the fob's card application derives it).
    static func cardBench() throws -> (bench: Bench, fobID: UInt32, cardKey: NFCCardKey) {
        var bench = try Bench()
        try bench.pair("app", .app)
        try bench.pair("keypad", .keypad)
        let fobID = try bench.pair("fob", .fob)
        return (bench, fobID, NFCCardKey.derive(from: try bench.key("fob"), credentialID: fobID))
    }

    /// The keypad's Keypad Action (source NFC) carrying the card's answer to the lock's challenge
    /// of this very request: genuine under `cardKey`, or with byte `flip` of the authenticator
    /// XORed with 0x01.
    static func cardTap(fobID: UInt32, cardKey: NFCCardKey, counter: UInt32, flip: Int? = nil) -> ClientRequest {
        .with(.keypadAction) { challenge in
            var authenticator = NFCCardAssertion(key: cardKey, credentialID: fobID, counter: counter, challenge: challenge.bytes).authenticator
            if let flip { authenticator = Bench.flipped(authenticator, at: flip) }
            return .keypadAction(KeypadActionRequest(
                nfcCredentialID: fobID, action: .unlock, challenge: challenge,
                evidence: KeypadNFCEvidence(counter: counter, authenticator: authenticator, uid: FobEmulator.nfcUID(fobID: 0x0F0B))))
        }
    }

    /// The completion status of the lock's last log entry, if it is an NFC Keypad Action.
    static func lastNFCStatus(_ bench: Bench) -> CompletionStatus? {
        guard case .keypadAction(let k)? = bench.machine.log.entries.last?.event, k.source == .nfc else { return nil }
        return k.completionStatus
    }

    /// The genuine card's authenticator wrong in one late byte (index 4, 16 or 31): K_ERROR_NOT_AUTHORIZED
    /// (0x20) exactly, one log entry with completion status 0xE8, the lock stays locked and the NFC
    /// counter is not advanced. The same answer unchanged (same counter) then opens.
    @Test(arguments: [4, 16, 31])
    func test_F01_cardAuthenticatorWrongInOneLateByteIsRefused(byte: Int) throws {
        var (bench, fobID, cardKey) = try Self.cardBench()
        let logged = bench.machine.log.entries.count
        let refused = bench.request("keypad", Self.cardTap(fobID: fobID, cardKey: cardKey, counter: 1, flip: byte))
        #expect(refused.errorCode == .notAuthorized)
        #expect(!Bench.movedTheLock(refused.actions))
        #expect(bench.machine.lockState == .locked)
        #expect(bench.machine.nfcCounters[fobID] == 0)
        #expect(bench.machine.log.entries.count == logged + 1)
        #expect(Self.lastNFCStatus(bench) == .nfcNotAuthentic)
        #expect(bench.request("keypad", Self.cardTap(fobID: fobID, cardKey: cardKey, counter: 1)).succeeded)
        #expect(bench.machine.lockState == .unlocked)
        #expect(bench.machine.nfcCounters[fobID] == 1)
    }

    /// The genuine card of a disabled fob: K_ERROR_DISABLED (0x25) exactly, completion status 0xEB,
    /// the lock stays locked, the counter is not advanced. Enabled again, the same card opens.
    @Test func test_AU03_disabledFobsCardIsRefusedUntilEnabledAgain() throws {
        var (bench, fobID, cardKey) = try Self.cardBench()
        #expect(bench.request("app", .updateAuthorization(fobID, enabled: false)).succeeded)
        let refused = bench.request("keypad", Self.cardTap(fobID: fobID, cardKey: cardKey, counter: 1))
        #expect(refused.errorCode == .disabled)
        #expect(!Bench.movedTheLock(refused.actions))
        #expect(bench.machine.lockState == .locked)
        #expect(bench.machine.nfcCounters[fobID] == 0)
        #expect(Self.lastNFCStatus(bench) == .nfcNotAllowedNow)
        #expect(bench.request("app", .updateAuthorization(fobID, enabled: true)).succeeded)
        #expect(bench.request("keypad", Self.cardTap(fobID: fobID, cardKey: cardKey, counter: 1)).succeeded)
        #expect(bench.machine.lockState == .unlocked)
    }
}
