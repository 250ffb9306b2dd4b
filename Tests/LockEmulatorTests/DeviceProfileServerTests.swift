import BLEATT
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire
import Testing

/// A lock serving a device profile over the socket link (issue 18): firmware from before the MTU
/// exchange refuses Exchange MTU with Request Not Supported (0x06) and serves one connection; the
/// keypad and fob carry on at ATT_MTU 23 (long writes out, 20-octet indications in).
@Suite(.serialized) struct DeviceProfileServerTests {
    /// A Smart Lock 1.0 on 1.9.0: before the MTU exchange (1.9.3).
    static func oldSmartLock1() throws -> LockModel {
        try LockProfile.sl1.model(firmware: FirmwareVersion(major: 1, minor: 9, patch: 0))
    }

    @Test func keypadAndFobPairAndActWithoutExchangeMTU() throws {
        let model = try Self.oldSmartLock1()
        #expect(!model.exchangesMTU)
        var limits = LockServer.Limits(model: model)
        #expect(limits.maxConnections == 1)
        limits.maxConnections = 2  // the raw probe below and one peripheral at a time
        let running = try FairnessTests.Running(engine: try SocketLinkTests.lock(now: LockServer.wallClock(), model: model), limits: limits)
        defer { running.stop() }

        // The lock's answer to Exchange MTU, raw: Error Response, request 0x02, handle 0x0000, 0x06.
        let probe = try SeqPacketLink.connect(path: running.socket)
        try probe.send([0x02, 0xF7, 0x00])
        #expect(try probe.receive(timeout: .seconds(5)) == [0x01, 0x02, 0x00, 0x00, 0x06])
        probe.close()

        let keypadClient = try PeripheralClient(folder: running.folder)
        #expect(keypadClient.mtu == 23)
        var keypad = KeypadEmulator(keypadID: 7, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        #expect(try keypadClient.run(&keypad, start: keypad.pair()) == [.paired(authID: 51)])
        #expect(try keypadClient.run(&keypad, start: keypad.enter(code: 456_789, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.accepted(.keypadAction)])
        keypadClient.close()

        running.server.requestButtonPress()
        Thread.sleep(forTimeInterval: 0.1)
        let fobClient = try PeripheralClient(folder: running.folder)
        #expect(fobClient.mtu == 23)
        var fob = FobEmulator(fobID: 9, keyPair: try KeyPair(using: SystemRandomSource()), random: SystemRandomSource())
        #expect(try fobClient.run(&fob, start: fob.pair()) == [.paired(authID: 52)])
        #expect(try fobClient.run(&fob, start: fob.press(count: 2, at: LockServer.wallClock())) == [.accepted(.lockAction)])
    }

    /// A current lock answers Exchange MTU: the same clients negotiate 247.
    @Test func currentFirmwareExchangesMTU() throws {
        let model = try LockProfile.sl1.model()
        let running = try FairnessTests.Running(engine: try SocketLinkTests.lock(now: LockServer.wallClock(), model: model), limits: .init(model: model))
        defer { running.stop() }
        let client = try PeripheralClient(folder: running.folder)
        #expect(client.mtu == 247)
    }

    /// The old firmware's one connection: a newcomer is turned away while the keypad's connection
    /// is authenticated, and the keypad carries on.
    @Test func oldFirmwareServesOneConnection() throws {
        let model = try Self.oldSmartLock1()
        let running = try FairnessTests.Running(engine: try SocketLinkTests.lock(now: LockServer.wallClock(), model: model), limits: .init(model: model))
        defer { running.stop() }
        var (client, keypad) = try FairnessTests.authenticatedKeypad(running)
        let newcomer = try SeqPacketLink.connect(path: running.socket)
        #expect(running.wait(10) { FairnessTests.isClosed(newcomer) })
        #expect(try client.run(&keypad, start: keypad.enter(code: 456_789, at: LockServer.wallClock(), spacingMilliseconds: 0)) == [.accepted(.keypadAction)])
    }

    /// docs/wire.md §13: a pairing message split over two plain writes at ATT_MTU 23 gets
    /// `12 00 FF 00 00` + CRC and a disconnect; after Exchange MTU (247) the same 20 bytes are a
    /// frame failing its CRC (0xFD) and the link stays (the server passes the MTU to the engine).
    @Test func aMessageSplitOverPlainWritesAtMTU23IsRefusedAndDisconnected() throws {
        let halfPublicKey = Array(PlainFrame(command: .publicKey, payload: [UInt8](repeating: 0x5A, count: 32)).encoded().prefix(20))
        func firstIndication(_ received: [PeripheralClient.Received]) -> Bool {
            received.contains { if case .indication = $0 { return true } else { return false } }
        }
        do {
            let model = try Self.oldSmartLock1()
            var limits = LockServer.Limits(model: model)
            limits.maxConnections = 2
            let running = try FairnessTests.Running(engine: try SocketLinkTests.lock(now: LockServer.wallClock(), model: model), limits: limits)
            defer { running.stop() }
            let client = try PeripheralClient(folder: running.folder)
            #expect(client.mtu == 23)
            // Raw ATT, so no Handle Value Confirmation races the lock's close: a Write Request of
            // the first 20 bytes, then everything the lock sends until it closes the link.
            let handle = try #require(client.handle(of: .pairingGDIO))
            let handleBytes = [UInt8(truncatingIfNeeded: handle), UInt8(truncatingIfNeeded: handle >> 8)]
            try client.sendRawATT([0x12] + handleBytes + halfPublicKey)
            var pdus: [[UInt8]] = []
            var closed = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !closed, ContinuousClock.now < deadline {
                do {
                    if let pdu = try client.receiveRawATT(timeout: .milliseconds(100)) { pdus.append(pdu) }
                } catch {
                    closed = true
                }
            }
            // Write Response, then the indication of 12 00 FF 00 00 + CRC 0x9EB6, then the close.
            #expect(pdus == [[0x13], [0x1D] + handleBytes + [0x12, 0x00, 0xFF, 0x00, 0x00, 0xB6, 0x9E]])
            #expect(closed)
        }
        do {
            let model = try LockProfile.sl1.model()
            let running = try FairnessTests.Running(engine: try SocketLinkTests.lock(now: LockServer.wallClock(), model: model), limits: .init(model: model))
            defer { running.stop() }
            let client = try PeripheralClient(folder: running.folder)
            #expect(client.mtu == 247)
            let received = try client.exchange(halfPublicKey, to: .pairingGDIO, timeout: .seconds(30), until: firstIndication)
            #expect(received == [.indication(.pairingGDIO, [0x12, 0x00, 0xFD, 0x00, 0x00, 0xD6, 0xF0])])
            let again = try client.exchange([0x01, 0x00, 0x03, 0x00, 0x27, 0xA7], to: .pairingGDIO, timeout: .seconds(30), until: firstIndication)
            #expect(again.count == 1, "the link stays: Request Data(Public Key) is answered")
        }
    }

    @Test func limitsFollowTheModel() throws {
        #expect(LockServer.Limits(model: try LockProfile.sl2.model(firmware: FirmwareVersion(major: 2, minor: 7, patch: 19))).maxConnections == 1)
        #expect(LockServer.Limits(model: try LockProfile.sl2.model(firmware: FirmwareVersion(major: 2, minor: 7, patch: 20))).maxConnections == 4)
        #expect(LockServer.Limits(model: .smartLock4).maxConnections == 4)
        #expect(LockServer.Limits().maxConnections == 10_000)
    }
}
