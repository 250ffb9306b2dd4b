import Foundation
import LockCrypto
import LockEmulator
import Testing

/// `latchkey phone` against `latchkey lock serve`, every device in its own process, over the socket
/// link found through a private discovery folder (issue 15). The lock's calendar is set with
/// `phone time sync --at` (Update Time), so the weekly and dated rights are judged deterministically.
@Suite(.serialized) struct PhoneCommandTests {
    struct Output: Equatable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A private folder with its own discovery folder.
    struct Folder {
        let path: String

        init() throws {
            path = NSTemporaryDirectory() + "latchkey-phone-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        /// Runs `latchkey arguments` here with only the discovery folder (and `environment`) set;
        /// `input` on stdin, else /dev/null.
        func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Output {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: path)
            process.environment = ["LATCHKEY_DEVICES_DIR": path + "/devices", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
            let out = Pipe()
            let err = Pipe()
            let stdin = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = input == nil ? FileHandle.nullDevice : stdin
            try process.run()
            if let input {
                try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
                try stdin.fileHandleForWriting.close()
            }
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
        }

        /// `latchkey phone …` with the phone's state file and PIN 1234.
        func phone(_ arguments: [String], state: String = "phone.json", pin: Bool = true) throws -> Output {
            try run(["phone"] + arguments + ["--state", state] + (pin ? ["--pin", "1234"] : []))
        }

        /// Starts `latchkey lock serve` in pairing mode and waits for its advertising record.
        func serve(nukiID: String = "2A37599A") throws -> Process {
            let serve = Process()
            serve.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
            serve.arguments = ["lock", "serve", "--state", "lock.json", "--pairing", "--nuki-id", nukiID, "--duration", "300"]
            serve.currentDirectoryURL = URL(fileURLWithPath: path)
            serve.environment = ["LATCHKEY_DEVICES_DIR": path + "/devices"]
            serve.standardOutput = FileHandle.nullDevice
            serve.standardError = FileHandle.nullDevice
            try serve.run()
            var scan = ""
            for _ in 0..<200 where !scan.contains("Nuki_\(nukiID)") {
                Thread.sleep(forTimeInterval: 0.05)
                scan = try run(["scan"]).stdout
            }
            #expect(scan.contains("Nuki_\(nukiID)  pairing"))
            return serve
        }

        /// What a peripheral says on stderr about the lock it chose (`Nuki_ID` at `54:D2:72:…`).
        func found(_ nukiID: String, pairing: Bool = false) -> String {
            let octets = stride(from: 2, to: 8, by: 2).map { offset -> String in
                let start = nukiID.index(nukiID.startIndex, offsetBy: offset)
                return String(nukiID[start..<nukiID.index(start, offsetBy: 2)])
            }
            return "latchkey: found Nuki_\(nukiID) at 54:D2:72:\(octets.joined(separator: ":")) \(pairing ? "in pairing mode " : "")in \(path)/devices; connecting\n"
        }

        /// Holds the lock's button 5 s (pairing mode) and lets the lock take it.
        func pressButton() throws {
            #expect(try run(["lock", "press-button"]).status == 0)
            Thread.sleep(forTimeInterval: 0.3)
        }
    }

    /// The README's walkthrough: lock serve → phone pair → keypad pair → the phone adds a Monday
    /// 09:00–12:00 code → the keypad enters it (refused on a Wednesday at 10:00, accepted on a
    /// Monday at 10:00) → the phone revokes the keypad → the keypad is refused.
    @Test func walkthroughMondayCodeAndRevokedKeypad() throws {
        let folder = try Folder()
        let serve = try folder.serve()
        defer { serve.terminate(); serve.waitUntilExit() }

        #expect(try folder.phone(["pair"], pin: false) == Output(status: 0, stdout: "phone: paired (auth id 1)\n", stderr: folder.found("2A37599A", pairing: true)))
        let mode = (try FileManager.default.attributesOfItem(atPath: folder.path + "/phone.json")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        try folder.pressButton()
        #expect(try folder.run(["keypad", "pair", "--state", "keypad.json"]).stdout == "keypad: paired (auth id 2)\n")

        // Wednesday 9 December 2026, 10:00 (UTC = the lock's local time: no time zone set, winter).
        #expect(try folder.phone(["time", "sync", "--at", "2026-12-09T10:00:00Z"]).stdout == "phone: accepted (lock time 2026-12-09T10:00:00Z)\n")
        let add = try folder.phone(["code", "add", "456789", "--name", "Cleaner", "--weekdays", "mon", "--window", "09:00-12:00"])
        #expect(add == Output(status: 0, stdout: "phone: accepted (code id 1, mon 09:00–12:00)\n", stderr: folder.found("2A37599A")))
        let wednesday = try folder.run(["keypad", "enter", "456789", "--state", "keypad.json"])
        #expect(wednesday.status == 1 && wednesday.stdout == "keypad: refused: K_ERROR_TIME_NOT_ALLOWED\n")

        // Monday 7 December 2026, 10:00: a wrong code, then the right one.
        #expect(try folder.phone(["time", "sync", "--at", "2026-12-07T10:00:00Z"]).status == 0)
        #expect(try folder.run(["keypad", "enter", "999999", "--state", "keypad.json"]).stdout == "keypad: wrong code (K_ERROR_CODE_INVALID)\n")
        let monday = try folder.run(["keypad", "enter", "456789", "--state", "keypad.json"])
        #expect(monday.status == 0 && monday.stdout == "keypad: accepted\n")
        #expect(try folder.phone(["state"], pin: false).stdout.hasPrefix("nuki state DOOR_MODE, lock state UNLOCKED, trigger SYSTEM, time 2026-12-07T10:00:"))

        let codes = try folder.phone(["code", "list", "--format", "json"])
        #expect(codes.stdout == #"{"code":456789,"codeID":1,"device":"phone","enabled":true,"lockCount":1,"name":"Cleaner","restriction":{"from":"","timeLimited":true,"until":"","weekdays":["mon"],"window":"09:00-12:00"}}"# + "\n")
        #expect(try folder.phone(["auth", "list"]).stdout == "auth 1 app \"Phone\" enabled, always\nauth 2 keypad \"Keypad\" enabled, always\n")
        #expect(try folder.phone(["auth", "revoke", "2"]).stdout == "phone: accepted (auth 2 revoked)\n")
        let revoked = try folder.run(["keypad", "enter", "456789", "--state", "keypad.json"])
        #expect(revoked.status == 1 && revoked.stdout == "keypad: refused: K_ERROR_NOT_AUTHORIZED\n")

        // The log, paged, newest first: the wrong code typed on Monday, then the accepted one
        // (the refusal on Wednesday is not an event the lock logs).
        func page(_ arguments: [String]) throws -> [[String: String]] {
            let output = try folder.phone(["log", "--format", "json"] + arguments)
            #expect(output.status == 0)
            return output.stdout.split(separator: "\n").compactMap { line in
                guard var object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                object["timestamp"] = (object["timestamp"] as? String).map { String($0.prefix(13)) }  // to the hour: seconds pass
                return object.mapValues { "\($0)" }
            }
        }
        #expect(try page(["--count", "1"]) == [
            ["device": "phone", "loggingEnabled": "1", "total": "2"],
            ["authID": "2", "device": "phone", "event": "keypad action UNLOCK (CODE, code id 1): SUCCESS", "index": "2", "name": "Keypad",
             "timestamp": "2026-12-07T10", "type": "KEYPAD_ACTION"],
        ])
        #expect(try page(["--start", "2", "--count", "1"]) == [
            ["device": "phone", "loggingEnabled": "1", "total": "2"],
            ["authID": "2", "device": "phone", "event": "keypad action UNLOCK (CODE, code id 0): INVALID_CODE", "index": "1", "name": "Keypad",
             "timestamp": "2026-12-07T10", "type": "KEYPAD_ACTION"],
        ])
        #expect(try page(["--start", "1"]).count == 1, "nothing before the first entry")
    }

    /// The owner grants, limits (weekly, then dated), disables and revokes a fob's right; the fob's
    /// press (fob action 1, unlock) at each step.
    @Test func fobRightGrantedLimitedAndRevoked() throws {
        let folder = try Folder()
        let serve = try folder.serve(nukiID: "0F0B0001")
        defer { serve.terminate(); serve.waitUntilExit() }
        #expect(try folder.phone(["pair"], pin: false).stdout == "phone: paired (auth id 1)\n")
        try folder.pressButton()
        #expect(try folder.run(["fob", "pair", "--state", "fob.json"]).stdout == "fob: paired (auth id 2)\n")
        func press() throws -> String { try folder.run(["fob", "press", "--state", "fob.json"]).stdout }

        #expect(try folder.phone(["time", "sync", "--at", "2026-12-07T10:00:00Z"]).status == 0)  // a Monday
        #expect(try press() == "fob: accepted\n", "granted: paired fobs may open")

        let weekly = try folder.phone(["auth", "update", "2", "--weekdays", "mon", "--window", "09:00-12:00"])
        #expect(weekly.stdout == "phone: accepted (auth 2 fob \"Fob\" enabled, mon 09:00–12:00)\n")
        #expect(try press() == "fob: accepted\n", "Monday 10:00 is inside the weekly window")
        #expect(try folder.phone(["time", "sync", "--at", "2026-12-08T10:00:00Z"]).status == 0)  // Tuesday
        #expect(try press() == "fob: refused: K_ERROR_TIME_NOT_ALLOWED\n", "Tuesday is not a Monday")
        #expect(try folder.phone(["time", "sync", "--at", "2026-12-07T12:00:00Z"]).status == 0)  // Monday noon
        #expect(try press() == "fob: refused: K_ERROR_TIME_NOT_ALLOWED\n", "the window ends at 12:00, excluded")

        let dated = try folder.phone(["auth", "update", "2", "--from", "2026-12-01", "--until", "2026-12-05", "--format", "json"])
        #expect(dated.stdout == #"{"authID":2,"device":"phone","enabled":true,"idType":"fob","name":"Fob","ok":true,"outcome":"accepted","remoteAllowed":false,"restriction":{"from":"2026-12-01T00:00:00Z","timeLimited":true,"until":"2026-12-05T23:59:59Z","weekdays":[],"window":"00:00-00:00"}}"# + "\n")
        #expect(try press() == "fob: refused: K_ERROR_TIME_NOT_ALLOWED\n", "7 December is after the right's last day")
        // A minute before the end, not the last second: the lock's clock runs on while the fob
        // connects (seconds on a loaded machine).
        #expect(try folder.phone(["time", "sync", "--at", "2026-12-05T23:59:00Z"]).status == 0)
        #expect(try press() == "fob: accepted\n", "the last minute of the last day is inside")

        #expect(try folder.phone(["auth", "update", "2", "--always"]).stdout == "phone: accepted (auth 2 fob \"Fob\" enabled, always)\n")
        #expect(try folder.phone(["auth", "disable", "2"]).stdout == "phone: accepted (auth 2 fob \"Fob\" disabled, always)\n")
        #expect(try press() == "fob: refused: K_ERROR_DISABLED\n")
        #expect(try folder.phone(["auth", "enable", "2"]).status == 0)
        #expect(try press() == "fob: accepted\n")
        #expect(try folder.phone(["auth", "revoke", "2"]).status == 0)
        #expect(try press() == "fob: refused: K_ERROR_NOT_AUTHORIZED\n")
        #expect(try folder.phone(["auth", "revoke", "2"]) == Output(status: 1, stdout: "phone: refused: K_ERROR_INVALID_AUTH_ID\n", stderr: folder.found("0F0B0001")))
    }

    /// Auto unlock is off out of the box: the phone coming into range is refused until the owner
    /// switches it on in Advanced Config; then it is let in, and refused within the 5-minute
    /// cool-down after a lock action. An approach is an arrival: a phone that did not leave since
    /// its last approach sends nothing.
    @Test func approachNeedsAutoUnlockSwitchedOn() throws {
        let folder = try Folder()
        let serve = try folder.serve(nukiID: "0A0B0C0D")
        defer { serve.terminate(); serve.waitUntilExit() }
        #expect(try folder.phone(["pair"], pin: false).status == 0)
        #expect(try folder.phone(["advanced-config", "get"], pin: false).stdout.hasPrefix("auto-unlock=off\n"))
        #expect(try folder.phone(["approach"], pin: false) == Output(status: 1, stdout: "phone: refused: K_ERROR_REJECTED\n", stderr: folder.found("0A0B0C0D")))
        #expect(try folder.phone(["advanced-config", "set", "auto-unlock=on"]).stdout == "phone: accepted (auto-unlock=on)\n")
        #expect(try folder.phone(["advanced-config", "get", "--format", "json"], pin: false).stdout.contains(#""auto-unlock":true"#))
        // The refused approach was an arrival too: the phone must leave before the next one.
        #expect(try folder.phone(["approach"], pin: false) == Output(
            status: 1, stdout: "", stderr: "latchkey: phone: already in range: auto unlock fires when the phone comes back after `latchkey phone leave`\n"))
        #expect(try folder.phone(["leave"], pin: false).stdout == "phone: left the lock's range\n")
        #expect(try folder.phone(["approach"], pin: false).stdout == "phone: accepted (lock state UNLOCKED)\n")
        #expect(try folder.phone(["lock"], pin: false).stdout == "phone: accepted (lock state LOCKED)\n")
        #expect(try folder.phone(["leave"], pin: false).stdout == "phone: left the lock's range\n")
        #expect(try folder.phone(["approach"], pin: false).stdout == "phone: refused: K_ERROR_AUTO_UNLOCK_TOO_RECENT\n")
    }

    /// The owner changes the security PIN (the old one is then K_ERROR_BAD_PIN, the new one read
    /// from a PIN file works) and invites a second phone, whose state file works at once and which
    /// the owner can disable (K_ERROR_DISABLED).
    @Test func pinChangeAndInvitedPhone() throws {
        let folder = try Folder()
        let serve = try folder.serve(nukiID: "0D0D0D0D")
        defer { serve.terminate(); serve.waitUntilExit() }
        #expect(try folder.phone(["pair", "--name", "Owner"], pin: false).stdout == "phone: paired (auth id 1)\n")
        #expect(try folder.run(["phone", "pin", "set", "--state", "phone.json", "--pin", "1234"], environment: ["LATCHKEY_NEW_PIN": "4321"]).stdout
            == "phone: accepted (security PIN changed)\n")
        #expect(try folder.phone(["pin", "verify"]) == Output(status: 1, stdout: "phone: refused: K_ERROR_BAD_PIN\n", stderr: folder.found("0D0D0D0D")))
        try "4321\n".write(toFile: folder.path + "/pin.txt", atomically: true, encoding: .utf8)
        let byFile = ["--state", "phone.json", "--pin-file", "pin.txt"]
        #expect(try folder.run(["phone", "pin", "verify"] + byFile).stdout == "phone: accepted (security PIN correct)\n")

        let invite = try folder.run(["phone", "auth", "invite", "--name", "Partner", "--out", "partner.json"] + byFile)
        #expect(invite.stdout == "phone: accepted (invited app \"Partner\" as auth 2, state in partner.json)\n")
        #expect(try folder.phone(["unlock"], state: "partner.json", pin: false).stdout == "phone: accepted (lock state UNLOCKED)\n")
        #expect(try folder.run(["phone", "auth", "list", "--state", "partner.json", "--pin-file", "pin.txt"]).stdout
            == "auth 2 app \"Partner\" enabled, always\nauth 1 app \"Owner\" enabled, always\n", "the caller's own entry first")
        #expect(try folder.run(["phone", "auth", "disable", "2"] + byFile).status == 0)
        #expect(try folder.phone(["lock"], state: "partner.json", pin: false) == Output(status: 1, stdout: "phone: refused: K_ERROR_DISABLED\n", stderr: folder.found("0D0D0D0D")))
    }

    /// A refused admin command exits 1 with the lock's error name: a wrong PIN, and a client that
    /// is not an admin (an invited keypad's credentials used as a phone: the lock checks the ID
    /// type of the authorization, not what the client claims).
    @Test func refusedAdminCommandsExitOneWithTheErrorName() throws {
        let folder = try Folder()
        let serve = try folder.serve(nukiID: "0B0B0B0B")
        defer { serve.terminate(); serve.waitUntilExit() }
        #expect(try folder.phone(["pair"], pin: false).status == 0)

        let wrong = try folder.run(["phone", "pin", "verify", "--state", "phone.json", "--pin", "4321"])
        #expect(wrong == Output(status: 1, stdout: "phone: refused: K_ERROR_BAD_PIN\n", stderr: folder.found("0B0B0B0B")))
        #expect(!wrong.stdout.contains("4321") && !wrong.stderr.contains("4321"), "the PIN is never echoed")
        let json = try folder.run(["phone", "auth", "list", "--state", "phone.json", "--format", "json"], environment: ["LATCHKEY_PIN": "4321"])
        #expect(json.status == 1)
        #expect(json.stdout == #"{"device":"phone","error":"K_ERROR_BAD_PIN","ok":false,"outcome":"refused: K_ERROR_BAD_PIN"}"# + "\n")
        #expect(try folder.run(["phone", "pin", "verify", "--state", "phone.json", "--pin-stdin"], input: "1234\n").stdout
            == "phone: accepted (security PIN correct)\n")

        // An invited keypad works as a keypad at once …
        let invite = try folder.phone(["auth", "invite", "--name", "Side door", "--type", "keypad", "--out", "side.json"])
        #expect(invite.stdout == "phone: accepted (invited keypad \"Side door\" as auth 2, state in side.json)\n")
        #expect(try folder.phone(["code", "add", "456789", "--name", "Family"]).status == 0)
        #expect(try folder.run(["keypad", "enter", "456789", "--state", "side.json"]).stdout == "keypad: accepted\n")
        // … and is no admin, whatever the client says it is.
        let text = try String(contentsOfFile: folder.path + "/side.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"kind\" : \"keypad\"", with: "\"kind\" : \"app\"").write(
            toFile: folder.path + "/side.json", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.path + "/side.json")
        let notAdmin = try folder.phone(["code", "list"], state: "side.json")
        #expect(notAdmin == Output(status: 1, stdout: "phone: refused: K_ERROR_NOT_AUTHORIZED\n", stderr: folder.found("0B0B0B0B")))
    }

    /// What the phone puts on the air is the payload `docs/wire.md` §4, §6, §7 and §8 lay out, byte
    /// for byte: each command runs with `LATCHKEY_CAPTURE` set, and `latchkey capture --to-corpus`
    /// opens the captured frames with the phone's shared key. `<nonce>` stands for the 32-byte
    /// challenge the lock issued; `D204` is PIN 1234 (u16 LE).
    @Test func wireBytesAsDocumented() throws {
        let folder = try Folder()
        let serve = try folder.serve(nukiID: "0C0C0C0C")
        defer { serve.terminate(); serve.waitUntilExit() }
        #expect(try folder.phone(["pair"], pin: false).status == 0)
        try folder.pressButton()
        #expect(try folder.run(["keypad", "pair", "--state", "keypad.json"]).status == 0)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path + "/phone.json"))) as? [String: Any]
        let key = try #require(state?["sharedKey"] as? String)
        let appID = try #require((state?["clientID"] as? NSNumber)?.uint32Value)
        let appIDHex = withUnsafeBytes(of: appID.littleEndian) { $0.map { String(format: "%02X", $0) }.joined() }

        /// The payload of the one `name` message the phone sent while running `arguments`, with
        /// the challenge replaced by `<nonce>`.
        func sent(_ name: String, _ arguments: [String], pin: Bool = true, nonceAt offset: Int) throws -> String {
            let capture = "cap-\(UUID().uuidString).btsnoop"
            _ = try folder.run(["phone"] + arguments + ["--state", "phone.json"] + (pin ? ["--pin", "1234"] : []), environment: ["LATCHKEY_CAPTURE": capture])
            let corpus = "corpus-\(UUID().uuidString)"
            #expect(try folder.run(["capture", capture, "--key", key, "--to-corpus", corpus]).status == 0)
            let commands = folder.path + "/" + corpus + "/Commands"
            let lines = try FileManager.default.contentsOfDirectory(atPath: commands).flatMap { file in
                try String(contentsOfFile: commands + "/" + file, encoding: .utf8).split(separator: "\n")
            }
            let payloads = lines.compactMap { line -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], object["name"] as? String == name
                else { return nil }
                return object["payload"] as? String
            }
            #expect(payloads.count == 1, "one \(name) in \(lines)")
            guard var payload = payloads.first, payload.count >= offset * 2 + 64 else { return "" }
            let start = payload.index(payload.startIndex, offsetBy: offset * 2)
            payload.replaceSubrange(start..<payload.index(start, offsetBy: 64), with: "<nonce>")
            return payload
        }

        // Lock Action 0x000D: action, app id u32, flags, nonce (38 bytes).
        #expect(try sent("LOCK_ACTION", ["unlock"], pin: false, nonceAt: 6) == "01" + appIDHex + "00" + "<nonce>")
        #expect(try sent("LOCK_ACTION", ["approach"], pin: false, nonceAt: 6) == "01" + appIDHex + "01" + "<nonce>")
        // Update Time 0x0021: 2026-12-07 10:00:00 (year u16 LE), nonce, PIN.
        #expect(try sent("UPDATE_TIME", ["time", "sync", "--at", "2026-12-07T10:00:00Z"], nonceAt: 7) == "EA070C070A0000" + "<nonce>" + "D204")
        // Update Authorization Entry 0x0025: auth id, name 32, enabled, remote allowed, time
        // restriction 20 (limited, from, until, weekdays Mon|Fri = 0x44, 09:00, 12:00), nonce, PIN.
        let name = "4B6579706164" + String(repeating: "00", count: 26)
        #expect(try sent(
            "UPDATE_AUTHORIZATION_ENTRY",
            ["auth", "update", "2", "--weekdays", "mon,fri", "--window", "09:00-12:00", "--from", "2026-12-01", "--until", "2026-12-24"], nonceAt: 58)
            == "02000000" + name + "01" + "00" + "01" + "EA070C01000000" + "EA070C18173B3B" + "44" + "0900" + "0C00" + "<nonce>" + "D204")
        // Add Keypad Code 0x0041: code u32 (456789 = 0x0006F855), name 20, time restriction 20.
        #expect(try sent("ADD_KEYPAD_CODE", ["code", "add", "456789", "--name", "Cleaner", "--weekdays", "mon", "--window", "09:00-12:00"], nonceAt: 44)
            == "55F80600" + "436C65616E6572" + String(repeating: "00", count: 13) + "01" + String(repeating: "00", count: 14) + "40" + "0900" + "0C00"
                + "<nonce>" + "D204")
        // Request Log Entries 0x0031: start index 3, count 2, descending, with the total, nonce, PIN.
        #expect(try sent("REQUEST_LOG_ENTRIES", ["log", "--start", "3", "--count", "2"], nonceAt: 8) == "03000000" + "0200" + "01" + "01" + "<nonce>" + "D204")
        // Remove Authorization Entry 0x0008: auth id, nonce, PIN.
        #expect(try sent("REMOVE_AUTHORIZATION_ENTRY", ["auth", "revoke", "2"], nonceAt: 4) == "02000000" + "<nonce>" + "D204")
    }

    /// Bad input is a usage error (exit 64) with an exact message, before anything is sent: no lock
    /// serves here, so a command that tried to connect would fail with exit 1 instead.
    @Test func badInputExitsSixtyFourBeforeAnythingIsSent() throws {
        let folder = try Folder()
        func usage(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> String {
            let output = try folder.run(["phone"] + arguments + ["--state", "phone.json"], environment: environment, input: input)
            #expect(output.status == 64, "\(arguments)")
            #expect(output.stdout == "")
            return output.stderr.split(separator: "\n").first.map(String.init) ?? ""
        }
        let code = ["code", "add", "456789", "--name", "Cleaner", "--pin", "1234"]
        #expect(try usage(code + ["--weekdays", "mon,xyz"]) == "Error: --weekdays: 'xyz' is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
        #expect(try usage(code + ["--window", "9:00-12:00"]) == "Error: --window is HH:MM-HH:MM with times 00:00–23:59, not 9:00-12:00")
        #expect(try usage(code + ["--window", "09:00-24:00"]) == "Error: --window is HH:MM-HH:MM with times 00:00–23:59, not 09:00-24:00")
        #expect(try usage(code + ["--from", "2026-13-01"])
            == "Error: --from is a UTC date YYYY-MM-DD or time YYYY-MM-DDTHH:MM:SSZ (years 2000–2255), not 2026-13-01")
        #expect(try usage(code + ["--from", "2026-12-09", "--until", "2026-12-01"]) == "Error: --from 2026-12-09 is after --until 2026-12-01")
        #expect(try usage(["auth", "update", "2", "--until", "31.12.2026", "--pin", "1234"])
            == "Error: --until is a UTC date YYYY-MM-DD or time YYYY-MM-DDTHH:MM:SSZ (years 2000–2255), not 31.12.2026")
        #expect(try usage(["code", "add", "123456", "--name", "X", "--pin", "1234"]) == "Error: a keypad code is six digits 1–9, not starting with 12")
        #expect(try usage(["auth", "update", "2", "--pin", "1234"])
            == "Error: nothing to update: give --name, --always, --from, --until, --weekdays or --window")
        #expect(try usage(["advanced-config", "set", "lockngo-timeout=99", "--pin", "1234"]) == "Error: lockngo-timeout is a number from 5 to 60, not 99")
        #expect(try usage(["config", "set", "led-brightness=101", "--pin", "1234"]) == "Error: led-brightness is a number from 0 to 5, not 101")
        #expect(try usage(["advanced-config", "set", "auto-unlock=maybe", "--pin", "1234"]) == "Error: auto-unlock is on or off, not maybe")
        #expect(try usage(["time", "sync", "--at", "2026-12-07", "--pin", "1234"]) == "Error: --at is a UTC time YYYY-MM-DDTHH:MM:SSZ, not 2026-12-07")
        #expect(try usage(["log", "--count", "0", "--pin", "1234"]) == "Error: --count is 1 to 100, not 0")

        // The PIN: malformed from each source (never echoed), two sources, none.
        // (A PIN of 5 or 6 digits is well-formed here: only the lock found says whether its PIN has 4
        // or 6, PairingChoiceCLITests.adminCommandsSendTheSecurityPINInTheLocksWidth.)
        let badPIN = try usage(["pin", "verify", "--pin", "12a4"])
        #expect(badPIN == "Error: the security PIN from --pin is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line")
        #expect(try usage(["pin", "verify", "--pin", "1000000"]) == "Error: the security PIN from --pin is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line")
        #expect(try usage(["pin", "verify"], environment: ["LATCHKEY_PIN": "x1"])
            == "Error: the security PIN from LATCHKEY_PIN is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line")
        #expect(try usage(["pin", "verify", "--pin-stdin"], input: "9999999\n")
            == "Error: the security PIN from standard input (--pin-stdin) is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line")
        #expect(try usage(["pin", "verify", "--pin", "1234"], environment: ["LATCHKEY_PIN": "1234"])
            == "Error: give the security PIN one way only, not --pin and LATCHKEY_PIN")
        #expect(try usage(["auth", "list"])
            == "Error: this command needs the lock's security PIN: give --pin, --pin-file, --pin-stdin or LATCHKEY_PIN")
        #expect(try usage(["pin", "set", "--new-pin", "7000000", "--pin", "1234"])
            == "Error: the security PIN from --new-pin is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line")
        // Well-formed, but the phone never paired.
        #expect(try usage(["auth", "list", "--pin", "1234"]) == "Error: this phone is not paired: run `latchkey phone pair --state phone.json` first")
        #expect(try usage(["auth", "list", "--pin", "123456"]) == "Error: this phone is not paired: run `latchkey phone pair --state phone.json` first")
        let unlock = try folder.run(["phone", "unlock", "--state", "phone.json"])
        #expect(unlock.status == 64 && unlock.stderr.hasPrefix("Error: this phone is not paired"))
        try PeripheralCredentialsFile(kind: .keypad, clientID: 7, name: "Keypad", random: SeededRandomSource(seed: 7)).save(folder.path + "/keypad.json")
        let keypadFile = try folder.run(["phone", "state", "--state", "keypad.json"])
        #expect(keypadFile.status == 64 && keypadFile.stderr.hasPrefix("Error: keypad.json is a keypad's state file, not a phone's\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/devices"), "nothing looked for a lock")
    }
}
