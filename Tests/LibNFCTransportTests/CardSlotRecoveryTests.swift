import Foundation
import LibNFCTransport
import LockNFC
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20: a virtual PN532 whose card host went away (interrupted or killed) does not keep its
/// card in the field; the host's next bytes end the wait, as a real PN532's abort does.
@Suite("Virtual PN532 card slot recovery", .serialized)
struct CardSlotRecoveryTests {
    /// TgInitAsTarget (0x8C): mode, SENS_RES, NFCID1t, SEL_RES (PN532 User Manual §7.3.14).
    static let initAsTarget = PN532Frame.encode(tfi: 0xD4, [0x8C, 0x04, 0x00, 0x04, 0x0B, 0x0F, 0x00, 0x20])

    /// Reads what the device wrote to the host, waiting up to `milliseconds` for the first bytes.
    static func drain(_ fd: Int32, milliseconds: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var wait = milliseconds
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, wait) > 0 else { return out }
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = Glibc.read(fd, &buffer, buffer.count)
            guard n > 0 else { return out }
            out += buffer.prefix(n)
            wait = 0
        }
    }

    /// The host's ACK while TgInitAsTarget waits for a reader: the card leaves the field and the
    /// command gets no answer frame, only the ACK the device sent when it took the command.
    @Test func hostAbortTakesTheWaitingCardOutOfTheField() throws {
        let field = VirtualRFField()
        let device = try VirtualPN532(field: field)
        defer { device.stop() }
        let host = open(device.terminal.path, O_RDWR | O_NOCTTY)
        #expect(host >= 0)
        defer { close(host) }
        var attributes = termios()
        tcgetattr(host, &attributes)
        cfmakeraw(&attributes)
        tcsetattr(host, TCSANOW, &attributes)
        let returned = DispatchSemaphore(value: 0)
        Thread {
            device.receive(Self.initAsTarget)
            returned.signal()
        }.start()
        let card = field.waitForCard(timeoutMilliseconds: 5_000)
        #expect(card?.uid == [0x08, 0x0B, 0x0F, 0x00])
        #expect(PN532Frame.ack.withUnsafeBytes { write(host, $0.baseAddress, $0.count) } == PN532Frame.ack.count)
        #expect(returned.wait(timeout: .now() + 5) == .success)
        #expect(field.waitForCard(timeoutMilliseconds: 0) == nil, "the aborted card left the field")
        #expect(Self.drain(host, milliseconds: 100) == PN532Frame.ack)
    }

    /// Through libnfc: an emulation aborted from another thread (`LibNFCDevice.abort()`, what
    /// `fob nfc-card` does on SIGINT) returns, and a reader then finds no card in the field.
    @Test func abortedLibnfcEmulationLeavesNoCardBehind() throws {
        let field = VirtualRFField()
        let slot = try NFCTestSupport.pn532(field, label: "card")
        let readerSide = try NFCTestSupport.pn532(field, label: "reader", poll: 100)
        defer {
            readerSide.stop()
            slot.stop()
        }
        let emulator = try LibNFCCardEmulator(connstring: slot.connstring)
        let finished = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var error: NFCError? }
        let outcome = Box()
        Thread {
            var card = NFCCardApplication(credentialID: 7, key: NFCTestSupport.key)
            do {
                try emulator.emulate(&card, uid: [0x08, 0x0B, 0x0F, 0x00])
            } catch {
                outcome.error = error as? NFCError
            }
            finished.signal()
        }.start()
        #expect(field.waitForCard(timeoutMilliseconds: 5_000) != nil, "the card is in the field")
        var ended = false
        for _ in 0..<50 where !ended {
            emulator.device.abort()
            ended = finished.wait(timeout: .now() + 0.1) == .success
        }
        #expect(ended)
        #expect(outcome.error != nil)
        emulator.device.close()
        #expect(field.waitForCard(timeoutMilliseconds: 0) == nil)
        let reader = try LibNFCReader(connstring: readerSide.connstring)
        defer { reader.device.close() }
        #expect { try reader.selectCard() } throws: { ($0 as? NFCError)?.code == .noCard }
    }
}
