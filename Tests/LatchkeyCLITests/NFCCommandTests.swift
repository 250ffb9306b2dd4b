import Foundation
import Testing

/// The NFC commands in separate processes: `lock serve`, `nfc virtual-reader` (two virtual PN532s
/// on ptys), `fob nfc-card` on the card slot and `keypad nfc-read` on the reader, all through libnfc.
@Suite(.serialized) struct NFCCommandTests {
    /// Starts `latchkey arguments…` in `folder`; stdout goes to a pipe.
    static func start(_ arguments: [String], in folder: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, pipe)
    }

    /// Reads `pipe` until it holds `lines` lines (or 10 s pass).
    static func lines(_ pipe: Pipe, count: Int) -> [String] {
        var text = ""
        let deadline = Date(timeIntervalSinceNow: 10)
        while text.filter({ $0 == "\n" }).count < count, Date() < deadline {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text.split(separator: "\n").map(String.init)
    }

    static func stop(_ process: Process) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    @Test func fobCardAtTheKeypadReaderUnlocksAndAUIDOnlyTagDoesNot() throws {
        let folder = NSTemporaryDirectory() + "latchkey-nfc-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (serve, _) = try Self.start(["lock", "serve", "--state", "lock.json", "--pairing", "--nuki-id", "2A3759AB", "--duration", "60"], in: folder)
        defer { Self.stop(serve) }
        var scan = MultiProcessTests.Run(status: 1, output: "")
        for _ in 0..<100 where !scan.output.contains("Nuki_2A3759AB") {
            Thread.sleep(forTimeInterval: 0.05)
            scan = try MultiProcessTests.run(["scan"], in: folder)
        }
        #expect(try MultiProcessTests.run(["keypad", "pair", "--state", "keypad.json"], in: folder).status == 0)
        #expect(try MultiProcessTests.run(["lock", "press-button"], in: folder).status == 0)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try MultiProcessTests.run(["fob", "pair", "--state", "fob.json"], in: folder).status == 0)

        // Reader and card slot; the fob's card served on the slot; the keypad reads at the reader.
        let (virtual, devicesPipe) = try Self.start(["nfc", "virtual-reader", "--duration", "60"], in: folder)
        defer { Self.stop(virtual) }
        let devices = Self.lines(devicesPipe, count: 3)
        let reader = try #require(devices.first { $0.hasPrefix("reader pn532_uart:/dev/pts/") }).dropFirst("reader ".count)
        let slot = try #require(devices.first { $0.hasPrefix("card pn532_uart:/dev/pts/") }).dropFirst("card ".count)
        let (card, cardPipe) = try Self.start(["fob", "nfc-card", "--state", "fob.json", "--device", String(slot), "--taps", "1"], in: folder)
        defer { Self.stop(card) }
        let read = try MultiProcessTests.run(["keypad", "nfc-read", "--state", "keypad.json", "--device", String(reader)], in: folder)
        #expect(read.status == 0 && read.output == "keypad: accepted\n")
        card.waitUntilExit()
        #expect(card.terminationStatus == 0)
        #expect(Self.lines(cardPipe, count: 1) == ["fob: answered the reader's challenge (counter 1)"])
        let fobState = try String(contentsOfFile: folder + "/fob.json", encoding: .utf8)
        #expect(fobState.contains("\"nfcCounter\" : 1"))

        // A tag that only has a UID: the keypad relays it, the lock refuses.
        let (tagReader, tagPipe) = try Self.start(["nfc", "virtual-reader", "--tag-uid", "08AABBCC", "--format", "json", "--duration", "60"], in: folder)
        defer { Self.stop(tagReader) }
        let json = try #require(Self.lines(tagPipe, count: 1).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        let tagDevice = try #require(object["reader"])
        #expect(object["card"] == nil && object["inField"] == "UID-only tag 08AABBCC")
        let refused = try MultiProcessTests.run(["keypad", "nfc-read", "--state", "keypad.json", "--device", tagDevice], in: folder)
        #expect(refused.status == 1 && refused.output == "keypad: refused: K_ERROR_NOT_AUTHORIZED\n")
    }

    @Test func usageErrors() throws {
        let folder = NSTemporaryDirectory()
        #expect(try MultiProcessTests.run(["nfc", "virtual-reader", "--demo-card", "--tag-uid", "08AABBCC"], in: folder).status == 64)
        #expect(try MultiProcessTests.run(["nfc", "virtual-reader", "--tag-uid", "08AA"], in: folder).status == 64)
        #expect(try MultiProcessTests.run(["keypad", "nfc-read", "--state", "k.json", "--device", "x", "--action", "open"], in: folder).status == 64)
    }
}
