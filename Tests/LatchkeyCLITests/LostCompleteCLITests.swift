import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockSession
import LockWire
import Testing

/// `latchkey fob press` against a real `lock serve` whose Status COMPLETE is lost on the way: a
/// proxy between the two (its own discovery record for the lock's address, in a second folder)
/// forwards every ATT PDU except the indication carrying COMPLETE, which it confirms to the lock
/// itself (issue 18; docs/wire.md §13).
@Suite(.serialized) struct LostCompleteCLITests {
    @Test func fobPressReportsTheStateReadBackAndExits3() throws {
        let root = NSTemporaryDirectory() + "latchkey-lost-\(UUID().uuidString)"
        let lockFolder = root + "/devices", proxyFolder = root + "/proxied"
        try FileManager.default.createDirectory(atPath: lockFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: proxyFolder, withIntermediateDirectories: true)
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        serve.arguments = ["lock", "serve", "--state", "lock.json", "--pairing", "--nuki-id", "2A37599A", "--duration", "120"]
        serve.currentDirectoryURL = URL(fileURLWithPath: root)
        serve.environment = ["LATCHKEY_DEVICES_DIR": lockFolder]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        let recordPath = lockFolder + "/54D27237599A.json"
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: recordPath) { Thread.sleep(forTimeInterval: 0.05) }
        let pair = try MultiProcessTests.run(["fob", "pair", "--state", "fob.json"], in: root)
        #expect(pair.status == 0 && pair.output == "fob: paired (auth id 1)\n")
        let key = try #require(try PeripheralCredentialsFile.load(root + "/fob.json").credentials()).sharedKey

        // The proxy's record: the lock's own, with the proxy's socket.
        let lockRecord = try JSONDecoder().decode(DiscoveryRecord.self, from: Data(contentsOf: URL(fileURLWithPath: recordPath)))
        let proxySocket = proxyFolder + "/proxy.sock"
        let listener = try SeqPacketListener(path: proxySocket)
        defer { listener.close() }
        try DiscoveryFolder(path: proxyFolder).publish(DiscoveryRecord(
            address: lockRecord.address, socket: proxySocket, advertisingData: lockRecord.advertisingBytes ?? [],
            scanResponse: lockRecord.scanResponseBytes ?? [], pid: getpid(), startTime: ProcessStartTime.of(getpid())))

        let press = Process()
        press.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        press.arguments = ["fob", "press", "--count", "1", "--state", "fob.json", "--address", "54:D2:72:37:59:9A", "--complete-timeout", "1"]
        press.currentDirectoryURL = URL(fileURLWithPath: root)
        press.environment = ["LATCHKEY_DEVICES_DIR": proxyFolder, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        press.standardOutput = output
        press.standardError = FileHandle.nullDevice
        try press.run()

        // Forward both ways until the fob exits; drop the indication whose value opens to COMPLETE.
        var fob: SeqPacketLink?
        var lock: SeqPacketLink?
        var dropped = 0
        var fromFob: [String] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while press.isRunning, ContinuousClock.now < deadline {
            if fob == nil {
                fob = try listener.accept(timeout: .milliseconds(50))
                if fob != nil { lock = try SeqPacketLink.connect(path: lockRecord.socket) }
                continue
            }
            guard let client = fob, let server = lock else { break }
            do {
                if let pdu = try client.receive(timeout: .milliseconds(5)) {
                    // Write Requests (0x12) and long-write parts on USDIO: note the requests.
                    if pdu.first == 0x12, pdu.count > 3, let message = Self.open(Array(pdu.dropFirst(3)), key: key) { fromFob.append(Self.describe(message)) }
                    try server.send(pdu)
                }
                if let pdu = try server.receive(timeout: .milliseconds(5)) {
                    if pdu.first == 0x1D, pdu.count > 3, Self.open(Array(pdu.dropFirst(3)), key: key) == .status(Status(.complete)) {
                        dropped += 1
                        try server.send([0x1E])
                    } else {
                        try client.send(pdu)
                    }
                }
            } catch {
                break  // one side closed
            }
        }
        fob?.close()
        lock?.close()
        press.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(dropped == 1)
        #expect(text == "fob: unlocked (COMPLETE not received; state read back)\n")
        #expect(press.terminationStatus == 3)
        // The fob never sent the action again: one challenge, one Lock Action, one read-back.
        #expect(fromFob == ["REQUEST_DATA(CHALLENGE)", "LOCK_ACTION", "REQUEST_DATA(KEYTURNER_STATES)"])
    }

    static func open(_ frame: [UInt8], key: SharedKey) -> NukiMessage? {
        guard let plain = try? EncryptedMessageCodec.open(frame, key: { _ in key }) else { return nil }
        return try? NukiMessage.decode(command: plain.command, payload: plain.payload)
    }

    static func describe(_ message: NukiMessage) -> String {
        if case .requestData(let request) = message { return "REQUEST_DATA(\(request.requestedCommand.name ?? "?"))" }
        return message.command.name ?? "?"
    }
}
