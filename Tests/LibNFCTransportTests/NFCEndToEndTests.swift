import BLETransport
import Foundation
import LatchkeyTestSupport
import LibNFCTransport
import LockCore
import LockEmulator
import LockNFC
import LockPeripherals
import LockSession
import LockWire
import Testing

/// The whole NFC path with real libnfc on both sides: the fob's card emulated through libnfc on one
/// virtual PN532, the keypad's reader through libnfc on another, the two joined by a simulated RF
/// field, and the keypad talking to the lock over GATT on the SOCK_SEQPACKET socket link.
@Suite("NFC end to end through libnfc", .serialized)
struct NFCEndToEndTests {
    final class Running: @unchecked Sendable {
        var server: LockServer?
        var stop = false
        let stopped = DispatchSemaphore(value: 0)
    }

    @Test func fobCardUnlocksThroughLibnfcAndTheSocketLink() throws {
        // Keypad and fob paired in process (real pairing flow), then the lock served on a socket.
        let fixture = try NFCRoomFixture(start: LockServer.wallClock())
        var keypad = try #require(fixture.keypad)
        let fob = try #require(fixture.fob)
        let fobCard = try #require(fob.nfcCard)
        let fobID = try #require(fixture.authID("fob"))

        let folder = DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-nfc-\(UUID().uuidString)")
        let running = Running()
        running.server = try LockServer(engine: fixture.detachedLock, folder: folder, statePath: nil) { _ in }
        let thread = Thread {
            while !running.stop { running.server?.step(timeout: .milliseconds(5)) }
            running.server?.stop()
            running.stopped.signal()
        }
        thread.start()

        let field = VirtualRFField()
        let cardSide = try NFCTestSupport.pn532(field, label: "fob")
        let readerSide = try NFCTestSupport.pn532(field, label: "keypad")
        defer {
            readerSide.stop()
            cardSide.stop()
        }
        let card = TwoPN532Tests.emulate(on: cardSide.connstring, card: fobCard, uid: FobEmulator.nfcUID(fobID: fob.fobID))

        let client = try PeripheralClient(folder: folder)
        let started = ContinuousClock.now
        let feedback = try client.run(&keypad, start: keypad.cardPresented(at: LockServer.wallClock()), cardReader: { challenge in
            Result { () throws(NFCError) -> NFCCardRead in
                let reader = try LibNFCReader(connstring: readerSide.connstring)
                defer { reader.device.close() }
                return try reader.read(challenge: challenge)
            }
        })
        #expect(feedback == [.accepted(.keypadAction)])
        #expect(card.done.wait(timeout: .now() + 10) == .success)
        #expect(card.error == nil)
        #expect(card.counter == 1)

        // A UID-only tag with the fob's UID, on the same reader: refused by the lock.
        final class Tag: VirtualFieldCard, @unchecked Sendable {
            let uid: [UInt8]
            init(uid: [UInt8]) { self.uid = uid }
            func activate() -> Bool { true }
            func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? { [0x6A, 0x82] }
            func release() {}
        }
        field.place(Tag(uid: FobEmulator.nfcUID(fobID: fob.fobID)))
        let refused = try client.run(&keypad, start: keypad.cardPresented(at: LockServer.wallClock()), cardReader: { challenge in
            Result { () throws(NFCError) -> NFCCardRead in
                let reader = try LibNFCReader(connstring: readerSide.connstring)
                defer { reader.device.close() }
                return try reader.read(challenge: challenge)
            }
        })
        #expect(refused == [.refused(.notAuthorized)])
        #expect(ContinuousClock.now - started < .seconds(15))

        running.stop = true
        #expect(running.stopped.wait(timeout: .now() + 5) == .success)
        let machine = try #require(running.server?.engine.machine)
        #expect(machine.lockState == .unlocked)
        #expect(machine.nfcCounters[fobID] == 1)
        let statuses = machine.log.entries.compactMap { entry -> CompletionStatus? in
            if case .keypadAction(let k) = entry.event, k.source == .nfc { return k.completionStatus }
            return nil
        }
        #expect(statuses == [.success, .nfcNotAuthentic])
    }

    /// Plays back a recorded AUTHENTICATE answer to any challenge (an eavesdropper's replay); SELECT
    /// is answered like the genuine card.
    final class ReplayCard: VirtualFieldCard, @unchecked Sendable {
        let uid: [UInt8]
        let recorded: NFCCardAssertion
        let lock = NSLock()
        var application: NFCCardApplication
        init(uid: [UInt8], application: NFCCardApplication, recorded: NFCCardAssertion) {
            self.uid = uid
            self.application = application
            self.recorded = recorded
        }
        func activate() -> Bool { true }
        func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? {
            lock.lock()
            defer { lock.unlock() }
            if apdu.count > 1, apdu[1] == 0xA1 { return recorded.encoded + [0x90, 0x00] }
            return application.respond(to: apdu)
        }
        func release() {}
    }

    /// The refusals on the same path (fob card and attacks at a libnfc reader on a virtual PN532,
    /// keypad on the socket link): a replayed answer (0x20, logged 0xE8), a card whose counter rolls
    /// back (0x22, 0xE9), the fob outside its time window (0x27, 0xEB) and the revoked fob (0x20,
    /// 0xE8). Each changes nothing but the log.
    @Test func replayedRolledBackOutOfWindowAndRevokedTapsAreRefused() throws {
        let fixture = try NFCRoomFixture(start: LockServer.wallClock())
        var keypad = try #require(fixture.keypad)
        let fob = try #require(fixture.fob)
        let fobCard = try #require(fob.nfcCard)
        let fobID = try #require(fixture.authID("fob"))
        guard case .app(var phone)? = fixture.room.devices["phone"]?.device else {
            Issue.record("no phone in the fixture")
            return
        }
        let uid = FobEmulator.nfcUID(fobID: fob.fobID)

        let folder = DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-nfc-\(UUID().uuidString)")
        let running = Running()
        running.server = try LockServer(engine: fixture.detachedLock, folder: folder, statePath: nil) { _ in }
        let thread = Thread {
            while !running.stop { running.server?.step(timeout: .milliseconds(5)) }
            running.server?.stop()
            running.stopped.signal()
        }
        thread.start()

        let field = VirtualRFField()
        let cardSide = try NFCTestSupport.pn532(field, label: "fob")
        let readerSide = try NFCTestSupport.pn532(field, label: "keypad")
        defer {
            readerSide.stop()
            cardSide.stop()
        }
        let client = try PeripheralClient(folder: folder)
        let phoneClient = try PeripheralClient(folder: folder)
        final class Box: @unchecked Sendable { var read: NFCCardRead? }
        let last = Box()
        func tap() throws -> [PeripheralFeedback] {
            try client.run(&keypad, start: keypad.cardPresented(at: LockServer.wallClock()), cardReader: { challenge in
                Result { () throws(NFCError) -> NFCCardRead in
                    let reader = try LibNFCReader(connstring: readerSide.connstring)
                    defer { reader.device.close() }
                    let read = try reader.read(challenge: challenge)
                    last.read = read
                    return read
                }
            })
        }
        /// The fob's card through libnfc card emulation, as it is after `taps` earlier answers.
        func emulateFob(after taps: Int) throws -> TwoPN532Tests.Outcome {
            var card = fobCard
            for _ in 0..<taps { _ = try NFCCardReader.read(challenge: Bytes32.zero, uid: uid, over: &card) }
            return TwoPN532Tests.emulate(on: cardSide.connstring, card: card, uid: uid)
        }

        // The genuine tap; its answer is recorded by the reader.
        let genuine = try emulateFob(after: 0)
        #expect(try tap() == [.accepted(.keypadAction)])
        #expect(genuine.done.wait(timeout: .now() + 10) == .success && genuine.counter == 1)
        let recorded = try #require(last.read?.assertion)
        #expect(recorded.counter == 1 && recorded.credentialID == fobID)

        // F-02: the recorded answer played back to a new challenge.
        let replay = ReplayCard(uid: uid, application: fobCard, recorded: recorded)
        field.place(replay)
        #expect(try tap() == [.refused(.notAuthorized)])
        field.remove(replay)

        // F-03: a copy of the card from before the genuine tap: its next counter (1) is not above 1.
        let rolledBack = try emulateFob(after: 0)
        #expect(try tap() == [.refused(.badNonce)])
        #expect(rolledBack.done.wait(timeout: .now() + 10) == .success)

        // The fob's right ended yesterday (UTC date limits): the genuine card (counter 2) is refused.
        let now = LockServer.wallClock()
        let ended = TimeRestriction(
            timeLimited: true, allowedFrom: now.adding(milliseconds: -2 * 86_400_000).utcDateTime,
            allowedUntil: now.adding(milliseconds: -86_400_000).utcDateTime, allowedWeekdays: [],
            allowedFromTime: .midnight, allowedUntilTime: .midnight)
        let limited = try phoneClient.run(&phone, start: phone.send(ClientRequest(command: .updateAuthorizationEntry, needsChallenge: true) { nonce in
            .updateAuthorizationEntry(UpdateAuthorizationEntry(
                authID: fobID, name: FixedName("Fob", width: 32), enabled: true, remoteAllowed: false, restriction: ended,
                challenge: nonce, securityPIN: NFCRoomFixture.pin))
        }))
        #expect(limited == [.accepted(.updateAuthorizationEntry)])
        let outOfWindow = try emulateFob(after: 1)
        #expect(try tap() == [.refused(.timeNotAllowed)])
        #expect(outOfWindow.done.wait(timeout: .now() + 10) == .success)

        // The revoked fob (counter 3): refused as unknown.
        let removed = try phoneClient.run(&phone, start: phone.send(ClientRequest(command: .removeAuthorizationEntry, needsChallenge: true) { nonce in
            .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: fobID, challenge: nonce, securityPIN: NFCRoomFixture.pin))
        }))
        #expect(removed == [.accepted(.removeAuthorizationEntry)])
        let revoked = try emulateFob(after: 2)
        #expect(try tap() == [.refused(.notAuthorized)])
        #expect(revoked.done.wait(timeout: .now() + 10) == .success)

        running.stop = true
        #expect(running.stopped.wait(timeout: .now() + 5) == .success)
        let machine = try #require(running.server?.engine.machine)
        #expect(machine.lockState == .unlocked, "only the genuine tap moved the lock")
        #expect(machine.nfcCounters[fobID] == 0, "the revocation dropped the fob's counter with its authorization")
        let statuses = machine.log.entries.compactMap { entry -> CompletionStatus? in
            if case .keypadAction(let k) = entry.event, k.source == .nfc { return k.completionStatus }
            return nil
        }
        #expect(statuses == [.success, .nfcNotAuthentic, .nfcCounterNotIncreasing, .nfcNotAllowedNow, .nfcNotAuthentic])
    }
}
