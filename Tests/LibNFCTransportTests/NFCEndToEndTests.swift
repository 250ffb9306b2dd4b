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
    /// The lock served on the socket link from its own thread, two virtual PN532s in one field (the
    /// fob's card side and the keypad's reader side) and the keypad's GATT client.
    final class Stage: @unchecked Sendable {
        /// The lock's loop on its own thread.
        final class Loop: @unchecked Sendable {
            let server: LockServer
            var stop = false
            let stopped = DispatchSemaphore(value: 0)
            init(_ server: LockServer) {
                self.server = server
                Thread { [self] in
                    while !self.stop { self.server.step(timeout: .milliseconds(5)) }
                    self.server.stop()
                    self.stopped.signal()
                }.start()
            }
        }

        let fixture: NFCRoomFixture
        let folder: DiscoveryFolder
        let field = VirtualRFField()
        let cardSide: VirtualPN532
        let readerSide: VirtualPN532
        let loop: Loop
        let client: PeripheralClient
        /// What the keypad's reader read last.
        var lastRead: NFCCardRead?

        init() throws {
            // Keypad, fob and phone paired in process (real pairing flow), then the lock served on a socket.
            fixture = try NFCRoomFixture(start: LockServer.wallClock())
            folder = DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-nfc-\(UUID().uuidString)")
            cardSide = try NFCTestSupport.pn532(field, label: "fob")
            readerSide = try NFCTestSupport.pn532(field, label: "keypad")
            loop = Loop(try LockServer(engine: fixture.detachedLock, folder: folder, statePath: nil) { _ in })
            client = try PeripheralClient(folder: folder)
        }

        /// Presents whatever is in the field to the keypad's libnfc reader and relays the read.
        func tap(_ keypad: inout KeypadEmulator) throws -> [PeripheralFeedback] {
            try client.run(&keypad, start: keypad.cardPresented(at: LockServer.wallClock()), cardReader: { challenge in
                Result { () throws(NFCError) -> NFCCardRead in
                    let reader = try LibNFCReader(connstring: self.readerSide.connstring)
                    defer { reader.device.close() }
                    let read = try reader.read(challenge: challenge)
                    self.lastRead = read
                    return read
                }
            })
        }

        /// Stops the lock's thread and returns its final state.
        func finish() -> LockMachine {
            loop.stop = true
            #expect(loop.stopped.wait(timeout: .now() + 5) == .success)
            readerSide.stop()
            cardSide.stop()
            return loop.server.engine.machine
        }

        /// The completion statuses of the NFC Keypad Action log entries, oldest first.
        static func nfcStatuses(_ machine: LockMachine) -> [CompletionStatus] {
            machine.log.entries.compactMap { entry -> CompletionStatus? in
                if case .keypadAction(let k) = entry.event, k.source == .nfc { return k.completionStatus }
                return nil
            }
        }
    }

    /// A tag that only has a UID (no Latchkey application).
    final class Tag: VirtualFieldCard, @unchecked Sendable {
        let uid: [UInt8]
        init(uid: [UInt8]) { self.uid = uid }
        func activate() -> Bool { true }
        func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? { [0x6A, 0x82] }
        func release() {}
    }

    @Test func fobCardUnlocksThroughLibnfcAndTheSocketLink() throws {
        let stage = try Stage()
        var keypad = try #require(stage.fixture.keypad)
        let fob = try #require(stage.fixture.fob)
        let fobCard = try #require(fob.nfcCard)
        let fobID = try #require(stage.fixture.authID("fob"))
        let card = TwoPN532Tests.emulate(on: stage.cardSide.connstring, card: fobCard, uid: FobEmulator.nfcUID(fobID: fob.fobID))

        let started = ContinuousClock.now
        #expect(try stage.tap(&keypad) == [.accepted(.keypadAction)])
        #expect(card.done.wait(timeout: .now() + 10) == .success)
        #expect(card.error == nil)
        #expect(card.counter == 1)

        // A UID-only tag with the fob's UID, on the same reader: refused by the lock.
        stage.field.place(Tag(uid: FobEmulator.nfcUID(fobID: fob.fobID)))
        #expect(try stage.tap(&keypad) == [.refused(.notAuthorized)])
        #expect(ContinuousClock.now - started < .seconds(15))

        let machine = stage.finish()
        #expect(machine.lockState == .unlocked)
        #expect(machine.nfcCounters[fobID] == 1)
        #expect(Stage.nfcStatuses(machine) == [.success, .nfcNotAuthentic])
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
    /// The refusals on the same path (fob card and attacks at a libnfc reader on a virtual PN532,
    /// keypad on the socket link): a replayed answer (0x20, logged 0xE8), a card whose counter rolls
    /// back (0x22, 0xE9), the fob outside its time window (0x27, 0xEB) and the revoked fob (0x20,
    /// 0xE8). Each changes nothing but the log.
    @Test func replayedRolledBackOutOfWindowAndRevokedTapsAreRefused() throws {
        let stage = try Stage()
        var keypad = try #require(stage.fixture.keypad)
        let fob = try #require(stage.fixture.fob)
        let fobCard = try #require(fob.nfcCard)
        let fobID = try #require(stage.fixture.authID("fob"))
        guard case .app(var phone)? = stage.fixture.room.devices["phone"]?.device else {
            Issue.record("no phone in the fixture")
            return
        }
        let uid = FobEmulator.nfcUID(fobID: fob.fobID)
        let phoneClient = try PeripheralClient(folder: stage.folder)
        /// The fob's card through libnfc card emulation, as it is after `taps` earlier answers.
        func emulateFob(after taps: Int) throws -> TwoPN532Tests.Outcome {
            var card = fobCard
            for _ in 0..<taps { _ = try NFCCardReader.read(challenge: Bytes32.zero, uid: uid, over: &card) }
            return TwoPN532Tests.emulate(on: stage.cardSide.connstring, card: card, uid: uid)
        }

        // The genuine tap; its answer is recorded by the reader.
        let genuine = try emulateFob(after: 0)
        #expect(try stage.tap(&keypad) == [.accepted(.keypadAction)])
        #expect(genuine.done.wait(timeout: .now() + 10) == .success && genuine.counter == 1)
        let recorded = try #require(stage.lastRead?.assertion)
        #expect(recorded.counter == 1 && recorded.credentialID == fobID)

        // F-02: the recorded answer played back to a new challenge.
        let replay = ReplayCard(uid: uid, application: fobCard, recorded: recorded)
        stage.field.place(replay)
        #expect(try stage.tap(&keypad) == [.refused(.notAuthorized)])
        stage.field.remove(replay)

        // F-03: a copy of the card from before the genuine tap: its next counter (1) is not above 1.
        let rolledBack = try emulateFob(after: 0)
        #expect(try stage.tap(&keypad) == [.refused(.badNonce)])
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
        #expect(try stage.tap(&keypad) == [.refused(.timeNotAllowed)])
        #expect(outOfWindow.done.wait(timeout: .now() + 10) == .success)

        // The revoked fob (counter 3): refused as unknown.
        let removed = try phoneClient.run(&phone, start: phone.send(ClientRequest(command: .removeAuthorizationEntry, needsChallenge: true) { nonce in
            .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: fobID, challenge: nonce, securityPIN: NFCRoomFixture.pin))
        }))
        #expect(removed == [.accepted(.removeAuthorizationEntry)])
        let revoked = try emulateFob(after: 2)
        #expect(try stage.tap(&keypad) == [.refused(.notAuthorized)])
        #expect(revoked.done.wait(timeout: .now() + 10) == .success)

        let machine = stage.finish()
        #expect(machine.lockState == .unlocked, "only the genuine tap moved the lock")
        #expect(machine.nfcCounters[fobID] == 0, "the revocation dropped the fob's counter with its authorization")
        #expect(Stage.nfcStatuses(machine) == [.success, .nfcNotAuthentic, .nfcCounterNotIncreasing, .nfcNotAllowedNow, .nfcNotAuthentic])
    }
}
