import Foundation
import LockCore
import LockCrypto
import LockHost
import LockSession
import Testing

/// `latchkey lock serve` in one process, `latchkey keypad …` / `latchkey fob …` in others, over the
/// socket link found through a private discovery folder.
@Suite(.serialized) struct MultiProcessTests {
    /// The built `latchkey` next to the test bundle.
    static func binary() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [".build/debug/latchkey", ".build/x86_64-unknown-linux-gnu/debug/latchkey"].map { root.appendingPathComponent($0).path }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    struct Run {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String], in folder: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs `latchkey` with `arguments` in `folder` (stdout discarded); its exit status and stderr.
    static func runForErrors(_ arguments: [String], in folder: String) throws -> (status: Int32, stderr: String) {
        try runForErrors(executable: try binary(), arguments, in: folder)
    }

    /// Runs `executable` with `arguments` in `folder` and the test's environment plus `environment`
    /// (stdout discarded; `input`, when given, on stdin, else no stdin); its exit status and stderr.
    static func runForErrors(
        executable: String, _ arguments: [String], in folder: String, environment: [String: String] = [:], input: Data? = nil
    ) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            try stdin.fileHandleForWriting.write(contentsOf: input)
            try stdin.fileHandleForWriting.close()
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }

    @Test func lockKeypadAndFobInSeparateProcesses() throws {
        let folder = NSTemporaryDirectory() + "latchkey-mp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: try Self.binary())
        serve.arguments = ["lock", "serve", "--state", "lock.json", "--pairing", "--nuki-id", "2A37599A", "--duration", "60"]
        serve.currentDirectoryURL = URL(fileURLWithPath: folder)
        serve.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        // Wait for the advertising record.
        var scan = Run(status: 1, output: "")
        for _ in 0..<100 where !scan.output.contains("Nuki_2A37599A") {
            Thread.sleep(forTimeInterval: 0.05)
            scan = try Self.run(["scan"], in: folder)
        }
        #expect(scan.output.contains("54:D2:72:37:59:9A  Nuki_2A37599A  pairing"))

        let keypad = try Self.run(["keypad", "pair", "--state", "keypad.json"], in: folder)
        #expect(keypad.status == 0 && keypad.output == "keypad: paired (auth id 1)\n")
        #expect(try Self.run(["lock", "press-button"], in: folder).status == 0)
        Thread.sleep(forTimeInterval: 0.2)
        let fob = try Self.run(["fob", "pair", "--state", "fob.json"], in: folder)
        #expect(fob.status == 0 && fob.output == "fob: paired (auth id 2)\n")
        let wrong = try Self.run(["keypad", "enter", "999999", "--state", "keypad.json"], in: folder)
        #expect(wrong.status == 1 && wrong.output == "keypad: wrong code (K_ERROR_CODE_INVALID)\n")
        let unlock = try Self.run(["fob", "press", "--count", "1", "--state", "fob.json", "--format", "json"], in: folder)
        #expect(unlock.status == 0 && unlock.output == #"{"device":"fob","ok":true,"outcome":"accepted"}"# + "\n")
        let lockKey = try Self.run(["keypad", "press", "L", "--state", "keypad.json"], in: folder)
        #expect(lockKey.status == 0 && lockKey.output == "keypad: accepted\n")
        // The keypad's lock key changed the state (nobody read it since): the beacon says so (0xC5).
        #expect(try Self.run(["scan"], in: folder).output.contains("  paired (state changed)  AD 0201061AFF4C000215A92EE200550111E4916C0800200C9A662A37599AC5\n"))
        let mode = (try FileManager.default.attributesOfItem(atPath: folder + "/fob.json")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }

    /// `latchkey demo` writes its week as a capture; `latchkey capture` reads the Nuki messages back.
    @Test func demoCaptureDecodes() throws {
        let folder = NSTemporaryDirectory() + "latchkey-cap-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(try Self.run(["demo", "--capture", "week.btsnoop"], in: folder).status == 0)
        let decoded = try Self.run(["capture", "week.btsnoop", "--nuki-only"], in: folder)
        #expect(decoded.status == 0)
        let lines = decoded.output.split(separator: "\n")
        #expect(lines.count == 222)
        #expect(lines.first?.contains("client → lock on pairing GDIO plain REQUEST_DATA") == true)
        #expect(lines.filter { $0.contains("plain AUTHORIZATION_ID ") }.count == 3)
    }

    /// `lock serve --transport bluez:hci0` on a machine without kernel Bluetooth fails with the clear
    /// message (skipped where Bluetooth exists: there the VM lane tests it for real).
    @Test func bluezTransportWithoutBluetoothSaysSo() throws {
        let fd = socket(AF_BLUETOOTH, Int32(SOCK_SEQPACKET.rawValue), 0)
        if fd >= 0 {
            close(fd)
            return
        }
        let folder = NSTemporaryDirectory() + "latchkey-bz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (status, message) = try Self.runForErrors(["lock", "serve", "--transport", "bluez:hci0", "--duration", "1"], in: folder)
        #expect(status == 1)
        #expect(message.contains("no Bluetooth on this machine"))
    }

    /// `latchkey fuzz` outside a checkout: exit 1 and the reason; both time options at once: a usage
    /// error (ArgumentParser's exit 64). Neither starts a build.
    @Test func fuzzOutsideACheckoutAndConflictingOptions() throws {
        let folder = NSTemporaryDirectory() + "latchkey-fz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func run(_ arguments: [String]) throws -> (Int32, String) { try Self.runForErrors(arguments, in: folder) }
        let outside = try run(["fuzz", "--total", "1"])
        #expect(outside.0 == 1)
        #expect(outside.1.contains("no Fuzz/campaign in"))
        let both = try run(["fuzz", "--total", "10", "--per-target", "5"])
        #expect(both.0 == 64)
    }

    /// What a user tripped over: the state file follows a lock action to its end (the timer-driven
    /// motor steps and log entry, not only the write that started it); a second `lock serve` on the
    /// same state file is refused (exit 1); a paired fob goes back to the lock it paired with when
    /// two serve; a `--duration` that is not a finite number of seconds up to a year is a usage error.
    @Test func stateFileExclusiveUseAndTheLockAPeripheralPairedWith() throws {
        let folder = NSTemporaryDirectory() + "latchkey-st-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func serve(_ arguments: [String]) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Self.binary())
            process.arguments = ["lock", "serve", "--duration", "60"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        func waitFor(_ name: String) throws {
            var scan = Run(status: 1, output: "")
            for _ in 0..<100 where !scan.output.contains(name) {
                Thread.sleep(forTimeInterval: 0.05)
                scan = try Self.run(["scan"], in: folder)
            }
            #expect(scan.output.contains(name))
        }
        for bad in ["1e30", "nan", "inf", "-1", "0"] {
            #expect(try Self.run(["lock", "serve", "--state", "x.json", "--duration=\(bad)"], in: folder).status == 64, "--duration \(bad)")
        }
        let first = try serve(["--state", "a.json", "--pairing", "--nuki-id", "2A37599A"])
        defer { first.terminate(); first.waitUntilExit() }
        try waitFor("Nuki_2A37599A")
        #expect(try Self.run(["lock", "serve", "--state", "a.json", "--duration", "1"], in: folder).status == 1)
        #expect(try Self.run(["fob", "pair", "--state", "fob.json"], in: folder).output == "fob: paired (auth id 1)\n")
        let second = try serve(["--state", "b.json", "--nuki-id", "00000001"])
        defer { second.terminate(); second.waitUntilExit() }
        try waitFor("Nuki_00000001")
        let press = try Self.run(["fob", "press", "--state", "fob.json"], in: folder)
        #expect(press.status == 0 && press.output == "fob: accepted\n")
        // COMPLETE came after the last motor step; the state file and its journal already hold the run's end.
        let machine = try LockStateFile(path: folder + "/a.json").load(random: SeededRandomSource(seed: 1)).machine
        #expect(machine.lockState == .unlocked, "UNLOCKED saved")
        #expect(machine.log.entries.count == 1, "the run's log entry saved")
        #expect(!machine.isBusy, "no run left to replay")
    }
}
