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
}
