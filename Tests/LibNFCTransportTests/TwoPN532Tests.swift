import Foundation
import LibNFCTransport
import LockNFC
import LockWire
import Testing

/// A card emulated through libnfc on one virtual PN532, read through libnfc on another, the two
/// joined by a simulated RF field.
@Suite("Two virtual PN532s", .serialized)
struct TwoPN532Tests {
    final class Outcome: @unchecked Sendable {
        var error: NFCError?
        var counter: UInt32 = 0
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs the card side on its own thread; returns what it ended with.
    static func emulate(on connstring: String, card: NFCCardApplication, uid: [UInt8]) -> Outcome {
        let outcome = Outcome()
        let thread = Thread {
            defer { outcome.done.signal() }
            do {
                let emulator = try LibNFCCardEmulator(connstring: connstring)
                defer { emulator.device.close() }
                var card = card
                try emulator.emulate(&card, uid: uid) { outcome.counter = $0.counter }
            } catch {
                outcome.error = error as? NFCError
            }
        }
        thread.start()
        return outcome
    }

    @Test func libnfcCardAnswersLibnfcReader() throws {
        let field = VirtualRFField()
        let cardSide = try NFCTestSupport.pn532(field, label: "card")
        let readerSide = try NFCTestSupport.pn532(field, label: "reader")
        defer {
            readerSide.stop()
            cardSide.stop()
        }
        let outcome = Self.emulate(on: cardSide.connstring, card: NFCCardApplication(credentialID: 7, key: NFCTestSupport.key), uid: [0x08, 0x0B, 0x0F, 0x00])
        let reader = try LibNFCReader(connstring: readerSide.connstring)
        let read = try reader.read(challenge: NFCTestSupport.challenge)
        reader.device.close()
        #expect(read.uid == [0x08, 0x0B, 0x0F, 0x00])
        let assertion = try #require(read.assertion)
        #expect(assertion.counter == 1 && assertion.verifies(key: NFCTestSupport.key, challenge: NFCTestSupport.challenge.bytes))
        #expect(outcome.done.wait(timeout: .now() + 10) == .success)
        #expect(outcome.error == nil)
        #expect(outcome.counter == 1)
    }
}
