import Foundation
import LibNFCTransport
import LockCrypto
import LockNFC
import LockWire
import Testing

enum NFCTestSupport {
    static let key = NFCCardKey.derive(from: try! SharedKey(rawBytes: [UInt8](repeating: 0x42, count: 32)), credentialID: 7)  // swiftlint:disable:this force_try
    static let challenge = Bytes32([UInt8](100..<132)) ?? .zero

    /// A started virtual PN532 on a fresh pty; `LATCHKEY_PN532_TRACE=1` prints its frames.
    static func pn532(_ field: VirtualRFField, label: String, poll: Int = 2_000) throws -> VirtualPN532 {
        let device = try VirtualPN532(field: field, pollTimeoutMilliseconds: poll)
        if ProcessInfo.processInfo.environment["LATCHKEY_PN532_TRACE"] == "1" {
            device.trace = { print("[\(label)] \($0)") }
        }
        device.start()
        return device
    }
}

@Suite("PN532 frames")
struct PN532FrameTests {
    @Test func encodesNormalAndExtendedFramesWithChecksums() {
        #expect(PN532Frame.encode(tfi: 0xD5, [0x03, 0x32, 0x01, 0x06, 0x07]) == [0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xE8, 0x00])
        let big = PN532Frame.encode(tfi: 0xD5, [UInt8](repeating: 1, count: 300))
        #expect(Array(big.prefix(8)) == [0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x2D, 0xD2])
        var decoder = PN532Frame.Decoder()
        #expect(decoder.append(big) == [.frame(tfi: 0xD5, data: [UInt8](repeating: 1, count: 300))])
    }

    @Test func decoderSkipsWakeUpAndResynchronises() {
        var decoder = PN532Frame.Decoder()
        let getFirmware = PN532Frame.encode(tfi: 0xD4, [0x02])
        var corrupt = getFirmware
        corrupt[6] ^= 0xFF  // DCS wrong
        let stream = [0x55, 0x55, 0x00, 0x00, 0x00] + PN532Frame.ack + corrupt + getFirmware
        // Byte by byte gives the same items as all at once.
        var items: [PN532Frame.Item] = []
        for b in stream { items += decoder.append([b]) }
        #expect(items == [.ack, .frame(tfi: 0xD4, data: [0x02])])
        var whole = PN532Frame.Decoder()
        #expect(whole.append(stream) == items)
    }
}

@Suite("Virtual PN532 under libnfc", .serialized)
struct VirtualPN532Tests {
    @Test func libnfcReaderAuthenticatesAnInProcessCard() throws {
        let field = VirtualRFField()
        let counters = CounterLog()
        field.place(VirtualCardApplet(NFCCardApplication(credentialID: 7, key: NFCTestSupport.key), uid: [0x08, 0x11, 0x22, 0x33]) { counters.append($0) })
        let device = try NFCTestSupport.pn532(field, label: "reader")
        defer { device.stop() }
        let reader = try LibNFCReader(connstring: device.connstring)
        defer { reader.device.close() }
        let read = try reader.read(challenge: NFCTestSupport.challenge)
        #expect(read.uid == [0x08, 0x11, 0x22, 0x33])
        let assertion = try #require(read.assertion)
        #expect(assertion.credentialID == 7 && assertion.counter == 1)
        #expect(assertion.verifies(key: NFCTestSupport.key, challenge: NFCTestSupport.challenge.bytes))
        #expect(counters.values.last == 1)
    }

    @Test func emptyFieldIsNoCard() throws {
        let device = try NFCTestSupport.pn532(VirtualRFField(), label: "empty", poll: 100)
        defer { device.stop() }
        let reader = try LibNFCReader(connstring: device.connstring)
        defer { reader.device.close() }
        #expect { try reader.selectCard() } throws: { ($0 as? NFCError)?.code == .noCard }
    }

    @Test func uidOnlyTagReadsWithoutAssertion() throws {
        final class Tag: VirtualFieldCard, @unchecked Sendable {
            let uid: [UInt8] = [0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]
            func activate() -> Bool { true }
            func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? { [0x6A, 0x82] }
            func release() {}
        }
        let field = VirtualRFField()
        field.place(Tag())
        let device = try NFCTestSupport.pn532(field, label: "tag")
        defer { device.stop() }
        let reader = try LibNFCReader(connstring: device.connstring)
        defer { reader.device.close() }
        let read = try reader.read(challenge: NFCTestSupport.challenge)
        #expect(read.uid == [0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6] && read.assertion == nil)
    }

    @Test func unopenableDeviceIsATransportError() {
        #expect { try LibNFCReader(connstring: "pn532_uart:/nonexistent/pty") } throws: { ($0 as? NFCError)?.code == .transport }
    }
}

final class CounterLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt32] = []
    func append(_ v: UInt32) { lock.withLock { storage.append(v) } }
    var values: [UInt32] { lock.withLock { storage } }
}
