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

/// The lock's verification of NFC taps (Keypad Action source 0x80): a fob's card at the keypad's
/// reader, everything in process on the virtual clock.
@Suite struct NFCTapTests {
    static func updateFob(_ f: inout NFCRoomFixture, enabled: Bool = true, restriction: TimeRestriction = .unrestricted) -> [PeripheralFeedback] {
        let fobID = f.authID("fob") ?? 0
        return f.phone(ClientRequest(command: .updateAuthorizationEntry, needsChallenge: true) { nonce in
            .updateAuthorizationEntry(UpdateAuthorizationEntry(
                authID: fobID, name: FixedName("Fob", width: 32), enabled: enabled, remoteAllowed: false, restriction: restriction,
                challenge: nonce, securityPIN: NFCRoomFixture.pin))
        })
    }

    @Test func fobCardUnlocksAndTheTapIsLogged() throws {
        var f = try NFCRoomFixture()
        let fobID = try #require(f.authID("fob"))
        #expect(f.tap() == [.accepted(.keypadAction)])
        #expect(f.room.lock.machine.lockState == .unlocked)
        #expect(f.room.lock.machine.nfcCounters[fobID] == 1)
        #expect(f.nfcLog.last == LogEntry.KeypadActionLog(action: .unlock, source: .nfc, completionStatus: .success, codeID: UInt16(fobID)))
        #expect(f.lastLog?.authID == f.authID("keypad"))
        // The card key is the one derived at pairing on both ends.
        #expect(f.fob?.nfcCard?.counter == 1)
        f.relock()
        #expect(f.tap() == [.accepted(.keypadAction)])
        #expect(f.room.lock.machine.nfcCounters[fobID] == 2)
    }

    @Test func uidOnlyTagIsRefusedAndLogged() throws {
        var f = try NFCRoomFixture()
        #expect(f.tap(.tag(uid: FobEmulator.nfcUID(fobID: 0x0F0B))) == [.refused(.notAuthorized)])
        #expect(f.room.lock.machine.lockState == .locked)
        #expect(f.nfcLog.last?.completionStatus == .nfcNotAuthentic)
    }

    @Test func cloneWithAnotherKeyIsRefused() throws {
        var f = try NFCRoomFixture()
        let fobID = try #require(f.authID("fob"))
        let guess = NFCCardKey.derive(from: try SharedKey(rawBytes: [UInt8](repeating: 7, count: 32)), credentialID: fobID)
        #expect(f.tap(.card(NFCCardApplication(credentialID: fobID, key: guess, counter: 100), uid: [8, 1, 2, 3])) == [.refused(.notAuthorized)])
        #expect(f.room.lock.machine.lockState == .locked)
        #expect(f.nfcLog.last?.completionStatus == .nfcNotAuthentic)
        #expect(f.room.lock.machine.nfcCounters[fobID] == 0)
    }

    @Test func replayedAnswerIsRefused() throws {
        var f = try NFCRoomFixture()
        #expect(f.tap() == [.accepted(.keypadAction)])
        f.relock()
        let recorded = try #require(f.room.cardReads.last)
        #expect(f.tap(.recorded(recorded)) == [.refused(.notAuthorized)])
        #expect(f.nfcLog.last?.completionStatus == .nfcNotAuthentic)
        #expect(f.room.lock.machine.lockState == .locked)
    }

    @Test func repeatedOrRolledBackCounterIsRefused() throws {
        var f = try NFCRoomFixture()
        let fob = try #require(f.fob)
        let fobID = try #require(f.authID("fob"))
        for _ in 0..<3 {
            #expect(f.tap() == [.accepted(.keypadAction)])
            f.relock()
        }
        let key = NFCCardKey.derive(from: try #require(fob.credentials).sharedKey, credentialID: fobID)
        // A copy of the card made after its second tap answers with counter 3: a repeat.
        #expect(f.tap(.card(NFCCardApplication(credentialID: fobID, key: key, counter: 2), uid: [8])) == [.refused(.badNonce)])
        // One made before any tap answers with counter 1: a rollback.
        #expect(f.tap(.card(NFCCardApplication(credentialID: fobID, key: key, counter: 0), uid: [8])) == [.refused(.badNonce)])
        #expect(f.nfcLog.suffix(2).map(\.completionStatus) == [.nfcCounterNotIncreasing, .nfcCounterNotIncreasing])
        #expect(f.room.lock.machine.nfcCounters[fobID] == 3)
        #expect(f.room.lock.machine.lockState == .locked)
        // The genuine card goes on.
        #expect(f.tap() == [.accepted(.keypadAction)])
    }

    @Test func revokedFobCardIsRefused() throws {
        var f = try NFCRoomFixture()
        let fobID = try #require(f.authID("fob"))
        let removed = f.phone(ClientRequest(command: .removeAuthorizationEntry, needsChallenge: true) { nonce in
            .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: fobID, challenge: nonce, securityPIN: NFCRoomFixture.pin))
        })
        #expect(removed == [.accepted(.removeAuthorizationEntry)])
        #expect(f.tap() == [.refused(.notAuthorized)])
        #expect(f.nfcLog.last?.completionStatus == .nfcNotAuthentic)
        #expect(f.room.lock.machine.lockState == .locked)
    }

    @Test func disabledFobOrOutsideItsTimeWindowIsRefused() throws {
        var f = try NFCRoomFixture()
        #expect(Self.updateFob(&f, enabled: false) == [.accepted(.updateAuthorizationEntry)])
        #expect(f.tap() == [.refused(.disabled)])
        let evenings = TimeRestriction(
            timeLimited: true, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: [],
            allowedFromTime: TimeOfDay(hour: 20, minute: 0), allowedUntilTime: TimeOfDay(hour: 21, minute: 0))
        #expect(Self.updateFob(&f, restriction: evenings) == [.accepted(.updateAuthorizationEntry)])
        #expect(f.tap() == [.refused(.timeNotAllowed)])
        #expect(f.nfcLog.suffix(2).map(\.completionStatus) == [.nfcNotAllowedNow, .nfcNotAllowedNow])
        #expect(f.room.lock.machine.lockState == .locked)
        #expect(Self.updateFob(&f) == [.accepted(.updateAuthorizationEntry)])
        #expect(f.tap() == [.accepted(.keypadAction)])
    }

    @Test func timeBudgetRefusesSlowAnswers() throws {
        var f = try NFCRoomFixture(timeBudgetMilliseconds: 500)
        #expect(f.tap(relayDelayMilliseconds: 501) == [.refused(.notAuthorized)])
        #expect(f.nfcLog.last?.completionStatus == .nfcTooSlow)
        #expect(f.tap(relayDelayMilliseconds: 500) == [.accepted(.keypadAction)])
    }

    @Test func unreadableCardSendsNothingAndTheNextTapWorks() throws {
        var f = try NFCRoomFixture()
        f.room.tap(.fob("nobody"), on: "keypad")
        let feedback = f.room.drain().compactMap { e -> PeripheralFeedback? in
            if case .feedback(let x) = e.event { return x }
            return nil
        }
        #expect(feedback.count == 1)
        if case .cardUnreadable? = feedback.first {} else { Issue.record("expected cardUnreadable, got \(feedback)") }
        #expect(f.nfcLog.isEmpty)
        #expect(f.tap() == [.accepted(.keypadAction)])
    }

    @Test func countersSurviveTheStateFile() throws {
        var f = try NFCRoomFixture()
        let fobID = try #require(f.authID("fob"))
        #expect(f.tap() == [.accepted(.keypadAction)])
        let data = try LockStateFile.encode(f.room.lock)
        let restored = try LockStateFile.decode(data, random: SeededRandomSource(seed: 1))
        #expect(restored.machine.nfcCounters[fobID] == 1)
        #expect(try LockStateFile.encode(restored) == data)
        #expect(String(decoding: data, as: UTF8.self).contains("nfcCounterStore"))
    }

    @Test func nfcKeypadActionRoundTripsOnTheWire() throws {
        let request = KeypadActionRequest(
            nfcCredentialID: 3, action: .unlock, challenge: Bytes32([UInt8](repeating: 1, count: 32))!,
            evidence: KeypadNFCEvidence(counter: 9, authenticator: Bytes32([UInt8](repeating: 2, count: 32))!, uid: [8, 1, 2, 3]))
        let bytes = request.encoded()
        #expect(bytes.count == 38 + 4 + 32 + 1 + 4)
        #expect(bytes.prefix(6) == [0x80, 3, 0, 0, 0, 1])
        #expect(try KeypadActionRequest(payload: bytes) == request)
        // UID longer than 10 bytes, or missing evidence: bad length.
        var long = bytes
        long[38 + 36] = 11
        #expect(throws: WireError.self) { try KeypadActionRequest(payload: long + [0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: WireError.self) { try KeypadActionRequest(payload: Array(bytes.prefix(38))) }
        // The documented sources take no evidence.
        let code = KeypadActionRequest(source: .code, code: 123_456, action: .unlock, challenge: .zero)
        #expect(code.encoded().count == 38 && code.nfc == nil)
    }
}

extension NFCTapTests {
    @Test func timeBudgetIsValidatedInTheStateFile() throws {
        var f = try NFCRoomFixture()
        f.room.lock.setNFCTimeBudget(milliseconds: -1)
        #expect(throws: StateFileError.self) { try LockStateFile.decode(try LockStateFile.encode(f.room.lock), random: SeededRandomSource(seed: 1)) }
        f.room.lock.setNFCTimeBudget(milliseconds: 300)
        let restored = try LockStateFile.decode(try LockStateFile.encode(f.room.lock), random: SeededRandomSource(seed: 1))
        #expect(restored.machine.nfcTimeBudgetMilliseconds == 300)
    }
}
