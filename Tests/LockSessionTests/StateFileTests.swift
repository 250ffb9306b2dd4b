import Foundation
import LockCore
import LockCrypto
@testable import LockHost
import LockSession
import LockWire
import Testing

/// The lock's state file: a restart keeps users, keys, keypad lockout and log; bad files are refused.
@Suite struct StateFileTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "latchkey-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A lock with an app and a keypad paired, one keypad code and a keypad lockout in force.
    static func usedLock() throws -> (Link, Link) {
        let app = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        var keypad = try EndToEndTests.pair(app.lock, .keypad, id: 2, connection: 2, at: EndToEndTests.start)
        var admin = app
        admin.lock = keypad.lock
        _ = admin.pump(admin.client.send(ClientRequest(command: .addKeypadCode, needsChallenge: true, finalCommands: [.keypadCodeID]) { nonce in
            .addKeypadCode(AddKeypadCode(code: 456_789, name: FixedName("Cleaner", width: 20), restriction: .unrestricted, challenge: nonce, securityPIN: .u16(4321)))
        }))
        keypad.lock = admin.lock
        for _ in 0..<5 { _ = keypad.pump(keypad.client.send(.keypadAction(source: .code, code: 999_999, action: .unlock))) }
        admin.lock = keypad.lock
        return (admin, keypad)
    }

    @Test func restartKeepsUsersKeysLockoutAndLog() throws {
        let (admin, keypad) = try Self.usedLock()
        #expect(keypad.lock.machine.keypadLockout.active(at: keypad.now) != nil)
        let file = LockStateFile(path: try Self.folder() + "/lock.json")
        try file.save(keypad.lock)
        let restored = try file.load(random: SeededRandomSource(seed: 77))
        #expect(restored.machine == keypad.lock.machine)
        #expect(restored.publicKey == keypad.lock.publicKey)
        #expect(restored.lockUUID == keypad.lock.lockUUID)
        // The keypad, reconnecting to the restarted lock, is still locked out even with the right code.
        var again = keypad
        again.lock = restored
        let refused = again.pump(again.client.send(.keypadAction(source: .code, code: 456_789, action: .unlock)))
        #expect(EndToEndTests.errorCode(refused) == .codeInvalidTimeout1)
        // The app's key survived: it reads the state on the restarted lock.
        var phone = admin
        phone.lock = again.lock
        let states = phone.pump(phone.client.send(.keyturnerStates))
        guard case .completed(_, let messages) = states.first, case .keyturnerStates = messages.last else {
            Issue.record("\(states)")
            return
        }
    }

    @Test func fileIsPrivateSortedAndVersioned() throws {
        let (_, keypad) = try Self.usedLock()
        let path = try Self.folder() + "/lock.json"
        try LockStateFile(path: path).save(keypad.lock)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"schemaVersion\" : 2"))
        let keys = ["\"keys\"", "\"lockSecretKey\"", "\"lockUUID\"", "\"machine\"", "\"schemaVersion\""]
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
        // Saving again replaces the file atomically and leaves no temporary file behind.
        try LockStateFile(path: path).save(keypad.lock)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["lock.json"])
    }

    static func mutated(_ transform: (inout [String: Any]) -> Void) throws -> Data {
        let (_, keypad) = try usedLock()
        let data = try LockStateFile.encode(keypad.lock)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        transform(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func refusal(_ data: Data) -> StateFileError? {
        do {
            _ = try LockStateFile.decode(data, random: SeededRandomSource(seed: 1))
            return nil
        } catch {
            return error
        }
    }

    @Test func badFilesAreRefusedWithTypedErrors() throws {
        #expect(Self.refusal(Data("{".utf8))?.code == .invalid)
        #expect(Self.refusal(Data(count: LockStateFile.maxBytes + 1))?.code == .invalid)
        #expect(Self.refusal(try Self.mutated { $0["schemaVersion"] = 3 })?.code == .unsupportedVersion)
        #expect(Self.refusal(try Self.mutated { $0["schemaVersion"] = 0 })?.code == .unsupportedVersion)
        #expect(Self.refusal(try Self.mutated { $0["lockSecretKey"] = "00" })?.code == .invalid)
        #expect(Self.refusal(try Self.mutated { $0["keys"] = [:] as [String: String] })?.code == .invalid, "a user without key")
        #expect(Self.refusal(try Self.mutated { object in
            var keys = object["keys"] as? [String: String] ?? [:]
            keys["99"] = String(repeating: "AB", count: 32)
            object["keys"] = keys
        })?.code == .invalid, "a key for no user")
        #expect(Self.refusal(try Self.mutated { object in
            var machine = object["machine"] as? [String: Any] ?? [:]
            var authorizations = machine["authorizations"] as? [[String: Any]] ?? []
            authorizations[0]["dateCreated"] = "2026-13-01T00:00:00"
            machine["authorizations"] = authorizations
            object["machine"] = machine
        })?.code == .invalid, "month 13")
        #expect(Self.refusal(try Self.mutated { object in
            var machine = object["machine"] as? [String: Any] ?? [:]
            var authorizations = machine["authorizations"] as? [[String: Any]] ?? []
            authorizations[1]["authID"] = authorizations[0]["authID"]
            machine["authorizations"] = authorizations
            object["machine"] = machine
        })?.code == .invalid, "duplicate auth ids")
        #expect(Self.refusal(try Self.mutated { object in
            var machine = object["machine"] as? [String: Any] ?? [:]
            var model = machine["model"] as? [String: Any] ?? [:]
            model["firmware"] = "4.2.0"
            machine["model"] = model
            object["machine"] = machine
        })?.code == .invalid, "a Smart Lock 3.0 on Smart Lock 4 firmware")
        #expect(Self.refusal(try Self.mutated { object in
            var machine = object["machine"] as? [String: Any] ?? [:]
            var model = machine["model"] as? [String: Any] ?? [:]
            model["profile"] = "sl9"
            machine["model"] = model
            object["machine"] = machine
        })?.code == .invalid, "an unknown profile")
    }

    @Test func missingFileIsUnreadable() throws {
        let file = LockStateFile(path: try Self.folder() + "/none.json")
        #expect(!file.exists)
        do {
            _ = try file.load(random: SeededRandomSource(seed: 1))
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .unreadable)
        }
    }
}

/// The same lock state always encodes to the same bytes.
@Suite struct StateFileDeterminismTests {
    @Test func encodingIsByteStable() throws {
        var (_, keypad) = try StateFileTests.usedLock()
        // The keypad carries out a command too (the lock key works during a code lockout), so two
        // authorizations have a most recent command: the part whose order used to vary.
        _ = keypad.pump(keypad.client.send(.keypadAction(source: .backKey, code: 0, action: .lock)))
        let first = try LockStateFile.encode(keypad.lock)
        let decoded = try LockStateFile.decode(first, random: SeededRandomSource(seed: 1))
        #expect(try LockStateFile.encode(decoded) == first)
        #expect(decoded.machine.mostRecentCommands.count >= 2)
        // Written as [authID, commandID] pairs in auth id order, whatever the hashing seed.
        let object = try #require(try JSONSerialization.jsonObject(with: first) as? [String: Any])
        let machine = try #require(object["machine"] as? [String: Any])
        let pairs = try #require(machine["mostRecentCommands"] as? [[Int]])
        #expect(pairs.count >= 2)
        #expect(pairs.map { $0[0] } == pairs.map { $0[0] }.sorted())
    }
}

/// Schema 2 keeps the device profile; a schema-1 file (before profiles) loads as the Smart Lock 3.0
/// it always was (issue 18).
@Suite struct StateFileProfileTests {
    @Test func profileAndFirmwareAreWhatTheFileKeeps() throws {
        var kept: [String: Any] = [:]
        let data = try StateFileTests.mutated { object in
            kept = (object["machine"] as? [String: Any])?["model"] as? [String: Any] ?? [:]
        }
        #expect(kept.keys.sorted() == ["firmware", "motorStepMilliseconds", "profile"])
        #expect(kept["profile"] as? String == "sl3" && kept["firmware"] as? String == "3.8.2")
        #expect((kept["motorStepMilliseconds"] as? NSNumber)?.intValue == 0)
        var machine = try LockStateFile.decode(data, random: SeededRandomSource(seed: 1)).machine
        #expect(machine.model == LockModel.smartLock3.withMotorStep(0))
        // An old-firmware Smart Lock 1.0 comes back with all of its facts.
        let old = try LockProfile.sl1.model(firmware: FirmwareVersion(major: 1, minor: 9, patch: 0))
        machine.model = old
        let json = try JSONEncoder().encode(machine.model)
        #expect(String(decoding: json, as: UTF8.self).contains(#""profile":"sl1""#))
        let back = try JSONDecoder().decode(LockModel.self, from: json)
        #expect(back == old)
        #expect(back.exchangesMTU == false && back.maxConnections == 1 && back.configByteCount == 71)
    }

    @Test func schemaOneLoadsAsSmartLock3() throws {
        let data = try StateFileTests.mutated { object in
            object["schemaVersion"] = 1
            var machine = object["machine"] as? [String: Any] ?? [:]
            // The model as schema 1 wrote it: its fields, no profile.
            machine["model"] = [
                "keyturnerStatesLength": 21, "wireContext": ["securityPINWidth": 2, "ultraPairing": false],
                "firmwareVersion": ["major": 3, "minor": 8, "patch": 2], "hardwareRevision": ["major": 2, "minor": 5],
                "deviceType": 4, "motorStepMilliseconds": 250,
            ] as [String: Any]
            object["machine"] = machine
        }
        let engine = try LockStateFile.decode(data, random: SeededRandomSource(seed: 1))
        #expect(engine.machine.model == LockModel.smartLock3.withMotorStep(250))
        #expect(engine.machine.model.profile == .sl3)
        // Saved again, it is a schema-2 file naming its profile.
        let again = String(decoding: try LockStateFile.encode(engine), as: UTF8.self)
        #expect(again.contains("\"schemaVersion\" : 2"))
        #expect(again.contains("\"profile\" : \"sl3\""))
    }
}

extension LockModel {
    func withMotorStep(_ milliseconds: Int64) -> LockModel {
        var model = self
        model.motorStepMilliseconds = milliseconds
        return model
    }
}
