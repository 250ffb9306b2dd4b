import Foundation
import Testing

/// Issue 15, "the lock's physical controls on a running lock": `latchkey lock button|key-turn|door|
/// battery|clock|state` against a `latchkey lock serve` in another process, through its owner-only
/// control socket. Exact outputs and exit codes.
@Suite(.serialized) struct LockControlTests {
    /// A running lock (Nuki ID 2A37599A) in its own folder, stopped at the end of the test.
    final class RunningLock {
        let folder: String
        let process: Process
        let events: String

        init(_ extra: [String] = []) throws {
            folder = NSTemporaryDirectory() + "latchkey-control-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            events = folder + "/events.txt"
            FileManager.default.createFile(atPath: events, contents: nil)
            process = Process()
            process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
            process.arguments = ["lock", "serve", "--state", "lock.json", "--nuki-id", "2A37599A", "--duration", "120"] + extra
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: events))
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { Thread.sleep(forTimeInterval: 0.02) }
        }

        var socket: String { folder + "/devices/54D27237599A.control" }

        func run(_ arguments: [String]) throws -> MultiProcessTests.Run { try MultiProcessTests.run(arguments, in: folder) }
        func errors(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
            try MultiProcessTests.runForErrors(executable: try MultiProcessTests.binary(), arguments, in: folder, environment: ["LATCHKEY_DEVICES_DIR": folder + "/devices"])
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    @Test func theOwnerWorksTheLocksPhysicalSide() throws {
        let lock = try RunningLock()
        // The calendar, set and moved on (the reply is taken at the instant it was set).
        let set = try lock.run(["lock", "clock", "set", "2026-12-07T10:00:00Z"])
        #expect(set.status == 0)
        #expect(set.output == "lock LOCKED, battery 100 %, ring light off, door UNAVAILABLE, time 2026-12-07T10:00:00Z\n")
        let advanced = try lock.run(["lock", "clock", "advance", "90m", "--format", "json"])
        #expect(advanced.status == 0)
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(advanced.output.utf8)) as? [String: Any])
        #expect((reply["time"] as? String)?.hasPrefix("2026-12-07T11:30:0") == true, "\(advanced.output)")
        #expect(reply["ok"] as? Bool == true && reply["saved"] as? Bool == true && reply["lockState"] as? String == "LOCKED")

        // The button opens pairing mode; a fob pairs.
        #expect(try lock.run(["lock", "button"]).output.hasPrefix("lock LOCKED, battery 100 %, ring light off, door UNAVAILABLE, pairing mode, time 2026-12-07T11:30:"))
        let fob = try lock.run(["fob", "pair", "--state", "fob.json"])
        #expect(fob.status == 0 && fob.output == "fob: paired (auth id 1)\n")

        // An empty battery: the motor is refused, the key still works, and the ring shows the
        // battery signal of each state.
        #expect(try lock.run(["lock", "battery", "0"]).output.hasPrefix("lock LOCKED, battery 0 % (critical), ring light batteryLowLocked, door UNAVAILABLE, time "))
        let press = try lock.run(["fob", "press", "--state", "fob.json"])
        #expect(press.status == 1 && press.output == "fob: refused: K_ERROR_MOTOR_LOW_VOLTAGE\n")
        #expect(try lock.run(["lock", "key-turn", "unlock"]).output.hasPrefix("lock UNLOCKED, battery 0 % (critical), ring light batteryLowUnlocked, door UNAVAILABLE, time "))
        #expect(try lock.run(["lock", "key-turn", "lock"]).output.hasPrefix("lock LOCKED, battery 0 % (critical), ring light batteryLowLocked, door UNAVAILABLE, time "))
        // A new battery; the door.
        #expect(try lock.run(["lock", "battery", "80"]).output.hasPrefix("lock LOCKED, battery 80 %, ring light off, door UNAVAILABLE, time "))
        #expect(try lock.run(["lock", "door", "open"]).output.hasPrefix("lock LOCKED, battery 80 %, ring light off, door DOOR_OPENED, time "))
        #expect(try lock.run(["lock", "state"]).output.hasPrefix("lock LOCKED, battery 80 %, ring light off, door DOOR_OPENED, time "))
        let pressAgain = try lock.run(["fob", "press", "--state", "fob.json"])
        #expect(pressAgain.status == 0 && pressAgain.output.hasPrefix("fob: accepted"), "\(pressAgain.output)")

        // What the lock reported: the key turns with trigger manual, the door, the battery alert.
        let events = (try? String(contentsOfFile: lock.events, encoding: .utf8)) ?? ""
        #expect(events.contains("lock: lockActionCompleted(UNLOCK(0x01), trigger: MANUAL(0x01), authID: none, status: SUCCESS(0x00))\n"))
        #expect(events.contains("lock: lockActionCompleted(LOCK(0x02), trigger: MANUAL(0x01), authID: none, status: SUCCESS(0x00))\n"))
        #expect(events.contains("lock: doorSensorChanged(DOOR_OPENED(0x03))\n"))
        #expect(events.contains("lock: batteryCritical(percent: 0)\n"))
        #expect(events.contains("lock: clockSet(2026-12-07T10:00:00)\n"))
    }

    /// Bad input is a usage error (64) before anything is sent; no lock is exit 1.
    @Test func badInputIsAUsageErrorAndNoLockIsAFailure() throws {
        let lock = try RunningLock()
        let cases: [([String], String)] = [
            (["lock", "battery", "101"], "Error: battery: expected a percent from 0 to 100, got \"101\""),
            (["lock", "key-turn", "sideways"], "Error: key-turn: expected lock, unlock or unlatch, got \"sideways\""),
            (["lock", "door", "ajar"], "Error: door: expected open or closed, got \"ajar\""),
            (["lock", "clock", "set", "2026-02-30T10:00:00Z"], "Error: clock set: 2026-02-30T10:00:00Z is not a valid date from the year 2000 on"),
            (["lock", "clock", "set", "tomorrow"], "Error: clock set: expected YYYY-MM-DDTHH:MM:SSZ, got \"tomorrow\""),
            (["lock", "clock", "advance", "5x"], "Error: clock advance: \"5x\" is not a duration (seconds, or a number with s, m, h or d)"),
            (["lock", "clock", "advance", "400d"], "Error: clock advance: expected whole seconds from 1 to 31622400, got \"34560000\""),
            (["lock", "clock", "rewind", "5"], "Error: clock: expected set or advance, got \"rewind\""),
            (["lock", "state", "--address", "zz"], "Error: --address zz is not a device address: six hex octets with colons, e.g. 54:D2:72:37:59:9A"),
        ]
        for (arguments, message) in cases {
            let run = try lock.errors(arguments)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.split(separator: "\n").first.map(String.init) == message, "\(arguments): \(run.stderr)")
        }
        // Nothing reached the lock: its calendar and battery are as they were.
        #expect(try lock.run(["lock", "state"]).output.hasPrefix("lock LOCKED, battery 100 %, ring light off, door UNAVAILABLE, time "))

        let empty = NSTemporaryDirectory() + "latchkey-control-empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let none = try MultiProcessTests.runForErrors(executable: try MultiProcessTests.binary(), ["lock", "state"], in: empty, environment: ["LATCHKEY_DEVICES_DIR": empty + "/devices"])
        #expect(none.status == 1)
        #expect(none.stderr == "latchkey: no running lock in \(empty)/devices (start one with `latchkey lock serve`)\n")
    }

    /// The control socket answers its owner only: a process of another user that reaches it (the
    /// socket and folder opened up on purpose) is refused by its credentials (SO_PEERCRED).
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
        "needs root, setpriv and /usr/bin/python3 to connect as another user"))
    func anotherUserIsRefused() throws {
        let lock = try RunningLock()
        chmod(lock.folder + "/devices", 0o755)
        chmod(lock.socket, 0o666)
        let script = "import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect('\(lock.socket)'); s.send(b'key-turn unlock'); print(s.recv(1024).decode())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/usr/bin/python3", "-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.environment = ["PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(stderr.isEmpty, "\(stderr)")
        #expect(output == "{\"error\":\"only the lock's owner (user 0) may use its controls\",\"ok\":false}\n")
        #expect(try lock.run(["lock", "state"]).output.hasPrefix("lock LOCKED,"), "the key was not turned")
    }

    /// The iBeacon's "state changed, please poll" bit (measured power 0xC5 instead of 0xC4): set
    /// by a change a client would see in Keyturner States (here a key turn), cleared once a client
    /// read them (`phone state`).
    @Test func theBeaconSaysStateChangedUntilAClientReadsTheState() throws {
        let lock = try RunningLock(["--pairing"])
        #expect(try lock.run(["phone", "pair", "--state", "phone.json"]).status == 0)
        let beacon = "54:D2:72:37:59:9A  Nuki_2A37599A  paired"
        let ad = "  AD 0201061AFF4C000215A92EE200550111E4916C0800200C9A662A37599A"
        #expect(try lock.run(["phone", "state", "--state", "phone.json"]).status == 0)
        #expect(try lock.run(["scan"]).output == beacon + ad + "C4\n")
        #expect(try lock.run(["lock", "key-turn", "unlock"]).status == 0)
        #expect(try lock.run(["scan"]).output == beacon + " (state changed)" + ad + "C5\n")
        #expect(try lock.run(["lock", "state"]).status == 0)
        #expect(try lock.run(["scan"]).output == beacon + " (state changed)" + ad + "C5\n", "the owner's own controls are not a client's read")
        #expect(try lock.run(["phone", "state", "--state", "phone.json"]).status == 0)
        #expect(try lock.run(["scan"]).output == beacon + ad + "C4\n")
    }

    /// Issue 15, the bell: `phone notifications` keeps the battery alert, once per fall below 20 %,
    /// from the Keyturner States the phone reads (its own refresh, `phone state`, the states an
    /// unlock pushes, which here re-arm it); `--clear` empties the list.
    @Test func thePhonesBellKeepsTheBatteryAlertOncePerFall() throws {
        let lock = try RunningLock(["--pairing"])
        #expect(try lock.run(["phone", "pair", "--state", "phone.json"]).status == 0)
        func bell(_ extra: [String] = []) throws -> [String] {
            let run = try lock.run(["phone", "notifications", "--state", "phone.json"] + extra)
            #expect(run.status == 0)
            // The time column is the phone's clock: compare what follows it.
            return run.output.split(separator: "\n").map { line in line.components(separatedBy: "  ").dropFirst().joined(separator: "  ") }
        }
        #expect(try lock.run(["phone", "notifications", "--state", "phone.json"]).output == "phone: no notifications\n")
        #expect(try lock.run(["lock", "battery", "15"]).status == 0)
        #expect(try bell() == ["battery critical (14 %): replace the batteries"])
        #expect(try lock.run(["lock", "battery", "10"]).status == 0)
        #expect(try bell() == ["battery critical (14 %): replace the batteries"], "still the same fall")
        #expect(try lock.run(["lock", "battery", "80"]).status == 0)
        #expect(try lock.run(["phone", "unlock", "--state", "phone.json"]).status == 0)
        #expect(try lock.run(["lock", "battery", "12"]).status == 0)
        #expect(try lock.run(["phone", "state", "--state", "phone.json"]).status == 0)
        let json = try lock.run(["phone", "notifications", "--state", "phone.json", "--format", "json", "--clear"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: String]])
        #expect(list.map { $0["message"] } == ["battery critical (14 %): replace the batteries", "battery critical (12 %): replace the batteries"])
        #expect(list.map { $0["event"] } == ["batteryCritical", "batteryCritical"])
        #expect(list.allSatisfy { $0["time"]?.hasSuffix("Z") == true })
        #expect(try lock.run(["phone", "notifications", "--state", "phone.json"]).output == "phone: no notifications\n")
    }
}
