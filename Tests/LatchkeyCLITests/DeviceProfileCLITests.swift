import BLETransport
import Foundation
import LockCore
import Testing

/// `latchkey lock serve --model … --firmware …` (issue 18): a Smart Lock 1.0 on firmware 1.9.0,
/// which refuses Exchange MTU, paired and worked by the keypad and fob processes over the socket
/// link; the state file keeps the device; usage errors name the model's limits.
@Suite(.serialized) struct DeviceProfileCLITests {
    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "latchkey-profile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func serve(_ arguments: [String], in folder: String, environment: [String: String] = [:]) throws -> Process {
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        serve.arguments = ["lock", "serve"] + arguments
        serve.currentDirectoryURL = URL(fileURLWithPath: folder)
        serve.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"].merging(environment) { $1 }
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        return serve
    }

    @Test func keypadAndFobPairAndActWithALockThatRefusesExchangeMTU() throws {
        let folder = try Self.folder()
        let serve = try Self.serve(
            ["--state", "lock.json", "--pairing", "--nuki-id", "2A37599A", "--model", "sl1", "--firmware", "1.9.0", "--duration", "60"], in: folder,
            environment: ["LATCHKEY_CAPTURE": folder + "/lock.btsnoop"])
        var scan = MultiProcessTests.Run(status: 1, output: "")
        for _ in 0..<100 where !scan.output.contains("Nuki_2A37599A") {
            Thread.sleep(forTimeInterval: 0.05)
            scan = try MultiProcessTests.run(["scan"], in: folder)
        }
        #expect(scan.output.contains("54:D2:72:37:59:9A  Nuki_2A37599A  pairing"))
        // One connection at a time (old firmware): a second one, opened while the first is still
        // setting up, is turned away; the first is served: its Exchange MTU Request gets the Error
        // Response Request Not Supported (01, request 02, handle 0000, 06).
        let socket = try #require(DiscoveryScanner(folder: DiscoveryFolder(path: folder + "/devices")).scan().first?.record.socket)
        let first = try SeqPacketLink.connect(path: socket)
        let second = try SeqPacketLink.connect(path: socket)
        #expect(Self.isClosed(second))
        try first.send([0x02, 0xF7, 0x00])
        #expect(try first.receive(timeout: .seconds(5)) == [0x01, 0x02, 0x00, 0x00, 0x06])
        first.close()
        let keypad = try MultiProcessTests.run(["keypad", "pair", "--state", "keypad.json"], in: folder)
        #expect(keypad.status == 0 && keypad.output == "keypad: paired (auth id 1)\n")
        #expect(try MultiProcessTests.run(["lock", "press-button"], in: folder).status == 0)
        let fob = try MultiProcessTests.run(["fob", "pair", "--state", "fob.json"], in: folder)
        #expect(fob.status == 0 && fob.output == "fob: paired (auth id 2)\n")
        let unlock = try MultiProcessTests.run(["fob", "press", "--count", "1", "--state", "fob.json", "--format", "json"], in: folder)
        #expect(unlock.status == 0 && unlock.output == #"{"device":"fob","ok":true,"outcome":"accepted"}"# + "\n")
        let lockKey = try MultiProcessTests.run(["keypad", "press", "L", "--state", "keypad.json"], in: folder)
        #expect(lockKey.status == 0 && lockKey.output == "keypad: accepted\n")
        serve.terminate()
        serve.waitUntilExit()

        // Every client's Exchange MTU was refused on the air: Error Response 01 02 0000 06, five times
        // (the probe above, then keypad pair, fob pair, fob press, keypad press).
        let capture = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/lock.btsnoop")))
        let refusal: [UInt8] = [0x01, 0x02, 0x00, 0x00, 0x06]
        let refusals = capture.indices.dropLast(refusal.count - 1).filter { Array(capture[$0..<$0 + refusal.count]) == refusal }.count
        #expect(refusals == 5)
        #expect(!capture.indices.dropLast(2).contains { capture[$0] == 0x03 && capture[$0 + 1] == 0x05 && capture[$0 + 2] == 0x02 }, "no Exchange MTU Response (517)")

        // The state file keeps the device; another --model on it is refused.
        let state = try String(contentsOfFile: folder + "/lock.json", encoding: .utf8)
        #expect(state.contains("\"firmware\" : \"1.9.0\""))
        #expect(state.contains("\"profile\" : \"sl1\""))
        let other = try MultiProcessTests.runForErrors(["lock", "serve", "--state", "lock.json", "--model", "sl4", "--duration", "1"], in: folder)
        #expect(other.status == 1)
        #expect(other.stderr == "latchkey: lock.json holds a sl1 lock on firmware 1.9.0; --model and --firmware choose the device of a new lock only\n")
    }

    /// Whether the lock closed `link` (its next receive reports the close).
    static func isClosed(_ link: SeqPacketLink) -> Bool {
        do {
            while try link.receive(timeout: .seconds(2)) != nil {}
            return false
        } catch {
            return error.code == .closed
        }
    }

    @Test func usageErrorsNameTheModelsLimits() throws {
        let folder = try Self.folder()
        let cases: [([String], String)] = [
            (["--model", "sl9"], "Error: The value 'sl9' is invalid for '--model <profile>'. Please provide one of the following:\n  - sl1\n  - sl2\n  - sl3\n  - sl3pro\n  - sl4\n  - sl4pro\n  - ultra\n  - go\n"),
            (["--firmware", "3.8"], "Error: --firmware is X.Y.Z (each 0-255), not 3.8\n"),
            (["--model", "sl4", "--firmware", "3.8.2"], "Error: --firmware: firmware 3.8.2 is not a Smart Lock 4th gen firmware (4.x)\n"),
            (["--security-pin", "10000"], "Error: --security-pin is the Smart Lock 3.0's 4-digit security PIN: a number from 0 to 9999\n"),
            (["--model", "ultra", "--security-pin", "1000000"], "Error: --security-pin is the Smart Lock Ultra's 6-digit security PIN: a number from 0 to 999999\n"),
            (["--hostile", "fuzz", "--model", "sl1"], "Error: --hostile takes no --model or --firmware (the hostile lock is a Smart Lock 3.0)\n"),
        ]
        for (arguments, message) in cases {
            let result = try MultiProcessTests.runForErrors(["lock", "serve"] + arguments, in: folder)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func helpListsTheProfiles() throws {
        let help = try MultiProcessTests.run(["lock", "serve", "--help"], in: try Self.folder())
        #expect(help.status == 0)
        let table = ["Device profiles (--model; the state file keeps the model and firmware):"] + LockProfile.catalogue.map { "  " + $0 }
        #expect(help.output.contains(table.prefix(10).joined(separator: "\n")), "\(help.output)")
        #expect(help.output.contains("  ultra   Smart Lock Ultra        5.0.0    27  79     33   6   Ultra    4\n"))
    }
}
