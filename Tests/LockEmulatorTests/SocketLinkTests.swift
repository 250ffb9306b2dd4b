import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire
import Testing

/// The lock served over GATT on the SOCK_SEQPACKET link, with a keypad and a fob connecting through
/// the discovery folder, as separate processes would (here: the lock's loop on its own thread).
@Suite(.serialized) struct SocketLinkTests {
    final class Running: @unchecked Sendable {
        var server: LockServer?
        var stop = false
    }

    static func lock(now: LockInstant, model base: LockModel = .smartLock3) throws -> LockSessionEngine {
        var model = base
        model.motorStepMilliseconds = 0
        var machine = LockMachine(model: model, nukiID: 0x1234_5678, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: .u16(1))
        try machine.setClock(to: now.utcDateTime, at: now)
        machine.restoreAuthorization(Authorization(authID: 50, idType: .app, clientID: 50, name: FixedName("Admin", width: 32), dateCreated: .unset))
        _ = try machine.handle(.addKeypadCode(AddKeypadCode(code: 456_789, name: FixedName("Code", width: 20), restriction: .unrestricted, challenge: .zero, securityPIN: .u16(1))), from: 50, at: now)
        let random = SystemRandomSource()
        var engine = LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID(random.bytes(count: 16)) ?? LockUUID([UInt8](repeating: 1, count: 16))!,
            keys: [50: try SharedKey(rawBytes: random.bytes(count: 32))], random: random)
        _ = engine.pressButton(heldMilliseconds: 5_000, at: now)
        return engine
    }

    @Test func keypadAndFobPairAndActOverTheSocketLink() throws {
        let folder = DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-socket-\(UUID().uuidString)")
        let running = Running()
        running.server = try LockServer(engine: try Self.lock(now: LockServer.wallClock()), folder: folder, statePath: nil) { _ in }
        let thread = Thread {
            while !running.stop { running.server?.step(timeout: .milliseconds(5)) }
            running.server?.stop()
        }
        thread.start()
        defer { running.stop = true }

        #expect(DiscoveryScanner(folder: folder).scan().count == 1)
        let keypadClient = try PeripheralClient(folder: folder)
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        #expect(try keypadClient.run(&keypad, start: keypad.pair()) == [.paired(authID: 51)])
        #expect(try keypadClient.run(&keypad, start: keypad.enter(code: 456_789, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.accepted(.keypadAction)])
        #expect(try keypadClient.run(&keypad, start: keypad.enter(code: 999_999, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.wrongCode])

        // The fob pairs in a new pairing mode (the button, as `latchkey lock press-button` presses it).
        running.server?.requestButtonPress()
        Thread.sleep(forTimeInterval: 0.1)
        let fobClient = try PeripheralClient(folder: folder)
        var fob = FobEmulator(fobID: 9, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        #expect(try fobClient.run(&fob, start: fob.pair()) == [.paired(authID: 52)])
        #expect(try fobClient.run(&fob, start: fob.press(count: 2, at: LockServer.wallClock())) == [.accepted(.lockAction)])
    }
}
