import BLEATT
import LockHost
import LockSession
import BLETransport
import Foundation
import Testing

@testable import latchkey

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20, through the real binary: the command line's rough edges, each with its exact message
/// and exit status (0 ok, 1 failed, 64 usage).
@Suite(.serialized) struct CommandLineEdgesTests {
    /// `latchkey ARGUMENTS` in `folder` with its discovery folder `folder/devices` (plus
    /// `environment`): status, stdout and stderr.
    static func run(_ arguments: [String], in folder: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both pipes are drained together, so neither fills while the other is read.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    /// A lock serving in `folder` until the test stops it; waits until `scan` lists `name`.
    static func serve(_ arguments: [String], in folder: String, name: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        process.arguments = ["lock", "serve", "--duration", "60"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"].merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var scan = MultiProcessTests.Run(status: 1, output: "")
        for _ in 0..<200 where !scan.output.contains(name) {
            Thread.sleep(forTimeInterval: 0.05)
            scan = try MultiProcessTests.run(["scan"], in: folder)
        }
        #expect(scan.output.contains(name))
        return process
    }

    static func stop(_ process: Process) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    // MARK: Unknown commands and no command

    @Test func unknownOrMissingCommandsAreUsageErrorsWithASuggestion() throws {
        let folder = try FilesAndFoldersTests.folder()
        let commands = "demo, lock, keypad, fob, phone, nfc, scan, capture, decode, doctor, fuzz, audit, fuzz-client, replay"
        let rootUsage = "Usage: latchkey <subcommand>\n  See 'latchkey --help' for more information.\n"
        let cases: [([String], String)] = [
            ([], "Error: 'latchkey' needs a command: \(commands)\n" + rootUsage),
            (["nosuch", "--help"], "Error: unknown command 'latchkey nosuch' (commands: \(commands))\n" + rootUsage),
            (["scna"], "Error: unknown command 'latchkey scna'; did you mean 'scan'? (commands: \(commands))\n" + rootUsage),
            (["lock"], "Error: 'latchkey lock' needs a command: serve, button, key-turn, door, battery, clock, state, press-button\nUsage: latchkey lock <subcommand>\n  See 'latchkey lock --help' for more information.\n"),
            (["lock", "srve"], "Error: unknown command 'latchkey lock srve'; did you mean 'serve'? (commands: serve, button, key-turn, door, battery, clock, state, press-button)\nUsage: latchkey lock <subcommand>\n  See 'latchkey lock --help' for more information.\n"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments, in: folder)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.errors == message, "\(arguments)")
            #expect(result.output == "", "\(arguments)")
        }
        // Help that was asked for is still help (exit 0).
        let help = try Self.run(["lock", "--help"], in: folder)
        #expect(help.status == 0 && help.output.hasPrefix("OVERVIEW: Run the emulated lock, or work its physical side.\n"))
        #expect(try Self.run(["help", "scan"], in: folder).status == 0)
    }

    // MARK: The README's command table and exit codes

    /// The subcommands `latchkey --help` (and each group's `--help`) lists are the commands the
    /// README's table under "## `latchkey`" documents, both ways.
    @Test func readmeCommandTableMatchesTheBinary() throws {
        let folder = try FilesAndFoldersTests.folder()
        func listed(_ arguments: [String]) throws -> Set<String> {
            let help = try Self.run(arguments + ["--help"], in: folder)
            #expect(help.status == 0)
            guard let start = help.output.range(of: "SUBCOMMANDS:\n") else { return [] }
            var names: Set<String> = []
            for line in help.output[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty { break }
                // A name starts a line after two spaces; continuation lines are indented further.
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
                let name = String(line.dropFirst(2).prefix { $0 != " " })
                if name != "See" { names.insert(name) }
            }
            names.remove("help")
            return names
        }
        let table = try Self.readmeCommands()
        let top = try listed([])
        #expect(top == Set(table.keys), "latchkey --help lists \(top.sorted()); the README documents \(table.keys.sorted())")
        for (command, documented) in table {
            let subcommands = try listed([command])
            #expect(subcommands == documented, "latchkey \(command) --help lists \(subcommands.sorted()); the README documents \(documented.sorted())")
        }
    }

    /// The README's command table: command → the subcommands its rows name (empty for a command
    /// without any), from the rows' first code span, e.g. `latchkey keypad pair\|enter CODE\|press KEYS …`.
    static func readmeCommands() throws -> [String: Set<String>] {
        let readme = try String(contentsOfFile: readmePath(), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## `latchkey`\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        var table: [String: Set<String>] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `latchkey ") {
            let usage = line.dropFirst("| `latchkey ".count).prefix { $0 != "`" }
            guard let command = usage.split(separator: " ").first.map(String.init) else { continue }
            var subcommands = table[command] ?? []
            // Subcommands are the bare words before the first option or argument placeholder.
            let words = usage.split(separator: " ").dropFirst().prefix { !$0.hasPrefix("[") && !$0.hasPrefix("-") }
            for alternative in words.joined(separator: " ").components(separatedBy: "\\|") {
                guard let word = alternative.split(separator: " ").first, word.allSatisfy({ $0.isLowercase || $0 == "-" }) else { continue }
                subcommands.insert(String(word))
            }
            table[command] = subcommands
        }
        return table
    }

    static func readmePath() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md").path
    }

    /// The README's exit codes for every command: each example of a usage error it gives exits 64
    /// here, and each example of a failure exits 1.
    @Test func readmeExitCodesMatchTheBinary() throws {
        let readme = try String(contentsOfFile: Self.readmePath(), encoding: .utf8)
        let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("Exit codes of every command:") })
        func examples(after marker: String) throws -> [[String]] {
            let clause = try #require(line.components(separatedBy: marker).dropFirst().first?.components(separatedBy: ";").first)
            return clause.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map { $0.element.split(separator: " ").dropFirst().map(String.init) }
        }
        let folder = try FilesAndFoldersTests.folder()
        let usage = try examples(after: "64 usage error")
        #expect(usage.count >= 5)
        for arguments in usage {
            #expect(try Self.run(arguments, in: folder).status == 64, "\(arguments)")
        }
        let failures = try examples(after: "1 failed")
        #expect(failures.count >= 1)
        for arguments in failures {
            #expect(try Self.run(arguments, in: folder).status == 1, "\(arguments)")
        }
    }

    // MARK: Values

    @Test func badValuesAreUsageErrorsThatSayWhatWasWrong() throws {
        let folder = try FilesAndFoldersTests.folder()
        let cases: [([String], String)] = [
            (["lock", "serve", "--duration", "-1"], "Error: --duration is a number of seconds above 0 and at most 31536000 (a year)"),
            (["nfc", "virtual-reader", "--duration", "-1"], "Error: --duration is a number of seconds above 0 and at most 31536000 (a year)"),
            (["keypad", "pair", "--state", "k.json", "--address", "zz"], "Error: --address zz is not a device address: six hex octets with colons, e.g. 54:D2:72:37:59:9A"),
            (["fob", "press", "--state", "f.json", "--address", "54:D2:72:37:59"], "Error: --address 54:D2:72:37:59 is not a device address: six hex octets with colons, e.g. 54:D2:72:37:59:9A"),
            (["lock", "press-button", "--address", "zz"], "Error: --address zz is not a device address: six hex octets with colons, e.g. 54:D2:72:37:59:9A"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments, in: folder)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.errors.split(separator: "\n").first.map(String.init) == message, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/k.json"))
    }

    /// A state file that does not decode: the message names the file, the field and what was
    /// wrong, not the decoder's types.
    @Test func brokenStateFilesNameTheFileAndTheField() throws {
        let folder = try FilesAndFoldersTests.folder()
        let keypad = #"{"schemaVersion":1,"kind":"keypad","clientID":"7","name":"Keypad","secretKey":"00","batteryPercent":100}"#
        #expect(FileManager.default.createFile(atPath: folder + "/keypad.json", contents: Data(keypad.utf8), attributes: [.posixPermissions: 0o600]))
        let typed = try Self.run(["keypad", "enter", "123456", "--state", "keypad.json"], in: folder)
        #expect(typed.status == 1)
        #expect(typed.errors == "latchkey: keypad.json does not decode: field clientID: expected a whole number from 0 to 4294967295\n")

        let missing = #"{"schemaVersion":1,"kind":"fob","name":"Fob","secretKey":"00","batteryPercent":100}"#
        #expect(FileManager.default.createFile(atPath: folder + "/fob.json", contents: Data(missing.utf8), attributes: [.posixPermissions: 0o600]))
        let absent = try Self.run(["fob", "press", "--state", "fob.json"], in: folder)
        #expect(absent.status == 1 && absent.errors == "latchkey: fob.json does not decode: field clientID is missing\n")

        let key = #"{"schemaVersion":1,"kind":"fob","clientID":7,"name":"Fob","secretKey":"00","batteryPercent":100}"#
        #expect(FileManager.default.createFile(atPath: folder + "/short.json", contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]))
        let short = try Self.run(["fob", "press", "--state", "short.json"], in: folder)
        #expect(short.status == 1 && short.errors == "latchkey: short.json: field secretKey is not 32 bytes of hex\n")

        #expect(FileManager.default.createFile(atPath: folder + "/lock.json", contents: Data(#"{"schemaVersion":1}"#.utf8), attributes: [.posixPermissions: 0o600]))
        let lock = try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "0.1"], in: folder)
        #expect(lock.status == 1 && lock.errors == "latchkey: lock.json does not decode: field lockSecretKey is missing\n")
        #expect(FileManager.default.createFile(atPath: folder + "/big.json", contents: Data(#"{"schemaVersion":1,"lockSecretKey":"00","lockUUID":"00000000000000000000000000000000","keys":{"1":300}}"#.utf8), attributes: [.posixPermissions: 0o600]))
        let nested = try Self.run(["lock", "serve", "--state", "big.json", "--duration", "0.1"], in: folder)
        #expect(nested.status == 1 && nested.errors == "latchkey: big.json does not decode: field keys.1: expected a string\n")
        for result in [typed, absent, short, lock, nested] {
            #expect(!result.errors.contains("DecodingError") && !result.errors.contains("StateFileError"))
        }
    }

    /// Without kernel Bluetooth, `lock serve --transport bluez:hci0` fails before it writes
    /// anything: no state file, no journal (skipped where Bluetooth exists).
    @Test func bluezWithoutBluetoothWritesNoStateFile() throws {
        let fd = socket(AF_BLUETOOTH, Int32(SOCK_SEQPACKET.rawValue), 0)
        if fd >= 0 {
            close(fd)
            return
        }
        let folder = try FilesAndFoldersTests.folder()
        let result = try Self.run(["lock", "serve", "--transport", "bluez:hci0", "--state", "lock.json", "--duration", "1"], in: folder)
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("latchkey: no Bluetooth on this machine"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}

/// Issue 20, continued: choosing the lock, stale discovery records, captures, doctor, NFC.
@Suite(.serialized) struct CommandLineEdgesLiveTests {
    typealias Edges = CommandLineEdgesTests

    // MARK: Which lock a peripheral pairs with

    /// Two locks: the first by address is paired, the second in pairing mode. Pairing over the
    /// socket link takes the one in pairing mode (the BlueZ scan's rule) and says which on stderr;
    /// with none in pairing mode, or `--address` naming a paired one, it says so (exit 1).
    @Test func pairingTakesTheLockInPairingModeAndSaysWhich() throws {
        let folder = try FilesAndFoldersTests.folder()
        let paired = try Edges.serve(["--state", "a.json", "--nuki-id", "00000001"], in: folder, name: "Nuki_00000001")
        defer { Edges.stop(paired) }
        let pairing = try Edges.serve(["--state", "b.json", "--nuki-id", "2A37599A", "--pairing"], in: folder, name: "Nuki_2A37599A")
        defer { Edges.stop(pairing) }
        let keypad = try Edges.run(["keypad", "pair", "--state", "keypad.json"], in: folder)
        #expect(keypad.status == 0 && keypad.output == "keypad: paired (auth id 1)\n")
        #expect(keypad.errors == "latchkey: found Nuki_2A37599A at 54:D2:72:37:59:9A in pairing mode in \(folder)/devices; connecting\n")
        let saved = try String(contentsOfFile: folder + "/keypad.json", encoding: .utf8)
        #expect(saved.contains(#""lockAddress" : "54:D2:72:37:59:9A""#))

        // Pairing mode ended with that pairing: no lock is in pairing mode now.
        let none = try Edges.run(["fob", "pair", "--state", "fob.json"], in: folder)
        #expect(none.status == 1 && none.output == "")
        #expect(none.errors == "latchkey: no lock in pairing mode in \(folder)/devices (2 not in pairing mode; hold one's button: `latchkey lock press-button --address ADDRESS`)\n")
        let named = try Edges.run(["fob", "pair", "--state", "fob.json", "--address", "54:D2:72:00:00:01"], in: folder)
        #expect(named.status == 1)
        #expect(named.errors == "latchkey: the lock at 54:D2:72:00:00:01 is not in pairing mode (hold its button: `latchkey lock press-button --address 54:D2:72:00:00:01`)\n")
        let nowhere = try Edges.run(["fob", "pair", "--state", "fob.json", "--address", "54:D2:72:00:00:02"], in: folder)
        #expect(nowhere.status == 1 && nowhere.errors == "latchkey: no lock at 54:D2:72:00:00:02 in \(folder)/devices\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/fob.json"))
    }

    // MARK: Stale discovery records

    /// A lock killed with SIGKILL leaves its record; `scan` removes it and says so. A record whose
    /// pid now belongs to another process (pid reuse, simulated by pointing the dead lock's record
    /// at a living `sleep` with the lock's start time) is stale too: `press-button` removes it and
    /// never signals that process.
    @Test func staleRecordsAreDetectedAndCleaned() throws {
        let folder = try FilesAndFoldersTests.folder()
        let lock = try Edges.serve(["--state", "a.json", "--nuki-id", "2A37599A", "--pairing"], in: folder, name: "Nuki_2A37599A")
        let record = folder + "/devices/54D27237599A.json"
        let published = try Data(contentsOf: URL(fileURLWithPath: record))
        let lockPID = lock.processIdentifier
        #expect(kill(lockPID, SIGKILL) == 0)
        lock.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: record), "SIGKILL leaves the record")

        let scan = try Edges.run(["scan"], in: folder)
        #expect(scan.status == 0 && scan.output == "")
        #expect(scan.errors == "latchkey: removed the stale discovery record of 54:D2:72:37:59:9A (process \(lockPID) is gone)\n")
        #expect(!FileManager.default.fileExists(atPath: record))

        // Pid reuse: the record names a living process that is not the lock.
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try sleeper.run()
        defer {
            // SIGKILL: the test runner's children may inherit an ignored SIGTERM.
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        var object = try #require(try JSONSerialization.jsonObject(with: published) as? [String: Any])
        let lockStart = try #require(object["startTime"] as? Int)
        let sleeperStart = try #require(ProcessStartTime.of(sleeper.processIdentifier))
        #expect(UInt64(lockStart) != sleeperStart)
        object["pid"] = Int(sleeper.processIdentifier)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: record))
        let press = try Edges.run(["lock", "press-button"], in: folder)
        #expect(press.status == 1)
        #expect(press.errors == """
            latchkey: removed the stale discovery record of 54:D2:72:37:59:9A (process \(sleeper.processIdentifier) is another program now (started at tick \(sleeperStart), the record's at \(lockStart)))
            latchkey: no lock found in \(folder)/devices (start one with `latchkey lock serve`)

            """)
        #expect(sleeper.isRunning, "the process that took the pid was not sent SIGUSR1")
        #expect(!FileManager.default.fileExists(atPath: record))
    }

    // MARK: Captures

    /// The same pairing captured by the lock and by the keypad reads the same: who sent each
    /// message comes from the ATT opcode, not from the side the capture was taken on.
    @Test func aCaptureReadsTheSameFromEitherSide() throws {
        let folder = try FilesAndFoldersTests.folder()
        let lock = try Edges.serve(["--state", "a.json", "--nuki-id", "2A37599A", "--pairing"], in: folder, name: "Nuki_2A37599A",
                                   environment: ["LATCHKEY_CAPTURE": folder + "/lock.btsnoop"])
        let pair = try Edges.run(["keypad", "pair", "--state", "keypad.json"], in: folder, environment: ["LATCHKEY_CAPTURE": folder + "/keypad.btsnoop"])
        #expect(pair.status == 0)
        Edges.stop(lock)
        let lockSide = try Edges.run(["capture", "lock.btsnoop", "--nuki-only"], in: folder)
        let keypadSide = try Edges.run(["capture", "keypad.btsnoop", "--nuki-only"], in: folder)
        #expect(lockSide.status == 0 && keypadSide.status == 0)
        #expect(keypadSide.output == lockSide.output)
        let lines = keypadSide.output.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.first?.hasPrefix("#1 client → lock on pairing GDIO plain REQUEST_DATA ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("#2 lock → client on pairing GDIO plain PUBLIC_KEY ") == true)
        #expect(lockSide.errors == keypadSide.errors)
        #expect(keypadSide.errors.hasSuffix(" Nuki messages, 0 rejected\n"))
        let all = try Edges.run(["capture", "keypad.btsnoop"], in: folder)
        #expect(all.output.hasPrefix("#1 conn 0x40 client → lock ATT ATT_EXCHANGE_MTU_REQ (0x02)\n#2 conn 0x40 lock → client ATT ATT_EXCHANGE_MTU_RSP (0x03)\n"))
    }

    /// Every message that is rejected counts once: a frame with a bad CRC, a long write whose
    /// parts leave a gap, indications that cannot be joined; a cancelled long write is no message.
    @Test func rejectedMessagesAreCountedOnceEach() throws {
        let folder = try FilesAndFoldersTests.folder()
        let writer = try CaptureWriter(path: folder + "/bad.btsnoop", clock: { 0 })
        func record(_ pdu: ATTPDU, _ direction: CaptureDirection) { writer.record(pdu.encoded(), direction: direction) }
        record(.writeRequest(handle: 0x0003, value: [0x01, 0x00, 0x03, 0x00, 0x00, 0x00]), .received)  // REQUEST_DATA, CRC wrong
        record(.prepareWriteRequest(ATTPreparedWrite(handle: 0x0003, offset: 0, value: [0x01, 0x00, 0x03])), .received)
        record(.prepareWriteRequest(ATTPreparedWrite(handle: 0x0003, offset: 10, value: [0x00, 0x00, 0x00])), .received)
        record(.executeWriteRequest(.write), .received)  // a gap at offset 3
        record(.prepareWriteRequest(ATTPreparedWrite(handle: 0x0003, offset: 0, value: [0x01, 0x00])), .received)
        record(.executeWriteRequest(.cancel), .received)  // cancelled: nothing reaches the lock
        record(.handleValueIndication(handle: 0x0003, value: [0xFF, 0xFF, 0x00]), .sent)  // no such plain command
        writer.close()
        let result = try Edges.run(["capture", "bad.btsnoop", "--nuki-only"], in: folder)
        #expect(result.status == 1)
        #expect(result.errors == "latchkey: 7 ATT PDUs, 3 Nuki messages, 3 rejected\n")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("#1 client → lock on pairing GDIO plain rejected: ") == true)
        #expect(lines.dropFirst().first == "#2 client → lock on pairing GDIO rejected: the long write does not join: reassembly: no fragment covers offset 3")
        #expect(lines.last == "#3 lock → client on pairing GDIO rejected: the indications do not join: reassembly: plain command 0xFFFF has no fixed size")
    }

    /// A `LATCHKEY_CAPTURE` that cannot be written stops the command at start (exit 1), before
    /// anything is served.
    @Test func aBadCapturePathFailsAtStart() throws {
        let folder = try FilesAndFoldersTests.folder()
        let missing = try Edges.run(["lock", "serve", "--state", "a.json", "--duration", "5"], in: folder, environment: ["LATCHKEY_CAPTURE": folder + "/none/x.btsnoop"])
        #expect(missing.status == 1)
        #expect(missing.errors == "latchkey: LATCHKEY_CAPTURE=\(folder)/none/x.btsnoop cannot be created: \(folder)/none: No such file or directory\n")
        let folderAsFile = try Edges.run(["keypad", "pair", "--state", "k.json"], in: folder, environment: ["LATCHKEY_CAPTURE": folder])
        #expect(folderAsFile.status == 1)
        #expect(folderAsFile.errors == "latchkey: LATCHKEY_CAPTURE=\(folder) is not a regular file: name a capture file to write (btsnoop, or pcap by .pcap)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "nothing written")
    }

    // MARK: Doctor

    /// `doctor` checks the discovery folder the other commands use: `--devices-dir`, else
    /// `$LATCHKEY_DEVICES_DIR`, and refuses one others may write to as they do.
    @Test func doctorChecksTheDiscoveryFolderTheCommandsUse() throws {
        let folder = try FilesAndFoldersTests.folder()
        func discoveryLine(_ arguments: [String], environment: [String: String] = [:]) throws -> String? {
            let result = try Edges.run(["doctor", "--format", "json"] + arguments, in: folder, environment: environment)
            #expect(result.status == 0)
            return result.output.split(separator: "\n").map(String.init).first { $0.contains(#""check":"discovery folder""#) }
        }
        #expect(try discoveryLine(["--devices-dir", folder + "/given"]) == #"{"check":"discovery folder","detail":"\#(folder)/given (created by the first lock)","status":"ok"}"#)
        #expect(mkdir(folder + "/env", 0o700) == 0)
        #expect(try discoveryLine([], environment: ["LATCHKEY_DEVICES_DIR": folder + "/env"]) == #"{"check":"discovery folder","detail":"\#(folder)/env (0 advertising)","status":"ok"}"#)
        #expect(mkdir(folder + "/open", 0o700) == 0 && chmod(folder + "/open", 0o777) == 0)
        #expect(try discoveryLine(["--devices-dir", folder + "/open"]) == #"{"check":"discovery folder","detail":"discovery folder \#(folder)/open is writable by others (mode 0777): run `chmod go-w \#(folder)/open` or use a folder of your own","status":"refused"}"#)
    }
}

/// Issue 20: interrupting `fob nfc-card` leaves `nfc virtual-reader`'s card slot usable.
@Suite(.serialized) struct FobCardInterruptionTests {
    /// `latchkey ARGUMENTS` started in `folder`; stdout and stderr on pipes.
    static func start(_ arguments: [String], in folder: String) throws -> (process: Process, output: Pipe, errors: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    /// Reads `pipe` until a line contains `text` (or the pipe closes, or 20 s pass); the text read.
    static func read(_ pipe: Pipe, until text: String) -> String {
        var read = ""
        let deadline = Date(timeIntervalSinceNow: 20)
        while !read.contains(text), Date() < deadline {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            read += String(decoding: data, as: UTF8.self)
        }
        return read
    }

    /// Serves the fob's card on `slot` until it says it waits for a reader.
    static func card(_ slot: String, taps: Int, in folder: String) throws -> (process: Process, output: Pipe, errors: Pipe) {
        let card = try start(["fob", "nfc-card", "--state", "fob.json", "--device", slot, "--taps", String(taps)], in: folder)
        let said = read(card.errors, until: "waiting for a reader")
        #expect(said == "latchkey: the fob's card is on \(slot): waiting for a reader (SIGINT or SIGTERM to stop)\n")
        // Let libnfc's TgInitAsTarget reach the virtual PN532 (not a timing assertion: the
        // outcome is the same either way, only which path it takes through the abort).
        Thread.sleep(forTimeInterval: 0.3)
        return card
    }

    /// One tap at the keypad's reader is accepted with the fob's card on `slot`.
    static func tapIsAccepted(reader: String, slot: String, counter: Int, in folder: String) throws {
        let card = try card(slot, taps: 1, in: folder)
        defer { NFCCommandTests.stop(card.process) }
        let read = try MultiProcessTests.run(["keypad", "nfc-read", "--state", "keypad.json", "--device", reader], in: folder)
        #expect(read.status == 0 && read.output == "keypad: accepted\n")
        card.process.waitUntilExit()
        #expect(card.process.terminationStatus == 0)
        #expect(String(decoding: card.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "fob: answered the reader's challenge (counter \(counter))\n")
    }

    @Test func interruptedOrKilledCardLeavesTheSlotUsable() throws {
        let folder = try FilesAndFoldersTests.folder()
        let serve = try CommandLineEdgesTests.serve(["--state", "lock.json", "--pairing", "--nuki-id", "2A3759AB"], in: folder, name: "Nuki_2A3759AB")
        defer { CommandLineEdgesTests.stop(serve) }
        #expect(try MultiProcessTests.run(["keypad", "pair", "--state", "keypad.json"], in: folder).status == 0)
        #expect(try MultiProcessTests.run(["lock", "press-button"], in: folder).status == 0)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try MultiProcessTests.run(["fob", "pair", "--state", "fob.json"], in: folder).status == 0)
        let (virtual, devicesPipe) = try NFCCommandTests.start(["nfc", "virtual-reader", "--duration", "120"], in: folder)
        defer { NFCCommandTests.stop(virtual) }
        let devices = NFCCommandTests.lines(devicesPipe, count: 3)
        let reader = String(try #require(devices.first { $0.hasPrefix("reader ") }).dropFirst("reader ".count))
        let slot = String(try #require(devices.first { $0.hasPrefix("card ") }).dropFirst("card ".count))

        // SIGINT while waiting for a reader, serving until interrupted: a clean stop, exit 0.
        let interrupted = try Self.card(slot, taps: 0, in: folder)
        interrupted.process.interrupt()
        interrupted.process.waitUntilExit()
        #expect(interrupted.process.terminationReason == .exit && interrupted.process.terminationStatus == 0)
        #expect(String(decoding: interrupted.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "fob: stopped by SIGINT after 0 taps (counter 0)\n")
        try Self.tapIsAccepted(reader: reader, slot: slot, counter: 1, in: folder)

        // SIGTERM before the taps asked for: exit 128 + 15.
        let terminated = try Self.card(slot, taps: 2, in: folder)
        terminated.process.terminate()
        terminated.process.waitUntilExit()
        #expect(terminated.process.terminationReason == .exit && terminated.process.terminationStatus == 143)
        #expect(String(decoding: terminated.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "fob: stopped by SIGTERM after 0 taps (counter 1)\n")
        try Self.tapIsAccepted(reader: reader, slot: slot, counter: 2, in: folder)

        // SIGKILL: nothing is said to the device; the next card's first bytes end the dead one's wait.
        let killed = try Self.card(slot, taps: 0, in: folder)
        #expect(kill(killed.process.processIdentifier, SIGKILL) == 0)
        killed.process.waitUntilExit()
        #expect(killed.process.terminationReason == .uncaughtSignal)
        try Self.tapIsAccepted(reader: reader, slot: slot, counter: 3, in: folder)
    }
}

/// The words of decoding errors, without running the binary.
@Suite struct DecodingMessageTests {
    struct Shape: Decodable {
        var a: [UInt8]
        var b: [String: String]
    }

    static func message(_ json: String) -> String {
        do {
            _ = try JSONDecoder().decode(Shape.self, from: Data(json.utf8))
            return "decoded"
        } catch {
            return StateFileError.undecodable("x.json", error).reason
        }
    }

    @Test func fieldsAreJSONPathsAndProblemsAreWords() {
        #expect(Self.message(#"{"a":[1,"x"],"b":{}}"#) == "x.json does not decode: field a[1]: expected a whole number from 0 to 255")
        #expect(Self.message(#"{"a":[1,300],"b":{}}"#) == "x.json does not decode: not valid JSON, or a number out of range for its field")
        #expect(Self.message(#"{"a":[],"b":{"1":2}}"#) == "x.json does not decode: field b.1: expected a string")
        #expect(Self.message(#"{"a":[]}"#) == "x.json does not decode: field b is missing")
        #expect(Self.message(#"{"a":null,"b":{}}"#) == "x.json does not decode: field a is null, expected a list")
        #expect(Self.message("{").hasPrefix("x.json does not decode: not valid JSON"))
    }

    @Test func suggestionsAreOneOrTwoEditsAway() {
        #expect(CommandWords.distance(Array("scna"), Array("scan")) == 1)
        #expect(CommandWords.distance(Array("srve"), Array("serve")) == 1)
        #expect(CommandWords.suggestion(for: "scna", among: ["demo", "scan"]) == "scan")
        #expect(CommandWords.suggestion(for: "nosuch", among: ["demo", "lock", "scan"]) == nil)
    }
}
