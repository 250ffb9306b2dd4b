import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockHost
import LockSession
import LockWire
import Testing

/// A peripheral's credentials survive a restart of the peripheral.
@Suite struct PeripheralCredentialsFileTests {
    @Test func keypadPairsSavesReloadsAndStillTalks() throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        let now = LockInstant(secondsSince1970: 1_772_442_000)
        var machine = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: .u16(1))
        try machine.setClock(to: now.utcDateTime, at: now)
        let random = SeededRandomSource(seed: 3)
        var room = InProcessRoom(
            lock: LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID([UInt8](repeating: 1, count: 16))!, random: random),
            now: now)
        room.route(room.lock.pressButton(heldMilliseconds: 5_000, at: now))

        var file = PeripheralCredentialsFile(kind: .keypad, clientID: 0x4B50, name: "Keypad", random: SeededRandomSource(seed: 4))
        room.add("keypad", .keypad(KeypadEmulator(keypadID: file.clientID, keyPair: try file.keyPair(), random: SeededRandomSource(seed: 5))))
        room.act("keypad") { device, _ in
            guard case .keypad(var k) = device else { return [] }
            defer { device = .keypad(k) }
            return k.pair()
        }
        guard case .keypad(let paired) = room.devices["keypad"]?.device, let credentials = paired.credentials else {
            Issue.record("keypad did not pair")
            return
        }
        file.store(credentials)
        let folder = NSTemporaryDirectory() + "latchkey-peripheral-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/keypad.json"
        try file.save(path)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        let loaded = try PeripheralCredentialsFile.load(path)
        #expect(loaded.authID == credentials.authID)
        let restored = KeypadEmulator(keypadID: loaded.clientID, keyPair: try loaded.keyPair(), random: SeededRandomSource(seed: 6), credentials: try loaded.credentials())
        room.add("keypad2", .keypad(restored))
        _ = room.drain()
        room.act("keypad2") { device, now in
            guard case .keypad(var k) = device else { return [] }
            defer { device = .keypad(k) }
            return k.press(.lock, at: now)
        }
        let feedback = room.drain().compactMap { entry -> PeripheralFeedback? in
            if case .feedback(let f) = entry.event { return f }
            return nil
        }
        #expect(feedback == [.accepted(.keypadAction)])
    }

    @Test func malformedFilesAreRefused() throws {
        let folder = NSTemporaryDirectory() + "latchkey-peripheral-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/bad.json"
        try Data(#"{"schemaVersion":1,"kind":"fob","clientID":1,"name":"x","secretKey":"00","batteryPercent":100}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StateFileError.self) { try PeripheralCredentialsFile.load(path) }
        try Data(#"{"schemaVersion":1,"kind":"door","clientID":1,"name":"x","secretKey":"00","batteryPercent":100}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StateFileError(.invalid, "\(path) does not decode: field kind: keypad, fob or app, not \"door\"")) {
            try PeripheralCredentialsFile.load(path)
        }
    }
}
