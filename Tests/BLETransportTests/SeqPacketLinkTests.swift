import BLETransport
import Foundation
import Testing

/// The Unix SOCK_SEQPACKET link: one ATT PDU per datagram.
@Suite struct SeqPacketLinkTests {
    @Test func keepsDatagramBoundaries() throws {
        let (a, b) = try SeqPacketLink.pair()
        let pdus = [hex("12 0300 0100030027A7"), hex("13"), [0x1D, 0x03, 0x00] + [UInt8](repeating: 0xAB, count: 244)]
        for pdu in pdus { try a.send(pdu) }
        for pdu in pdus { #expect(try b.receive(timeout: .seconds(1)) == pdu) }
        #expect(try b.receive(timeout: .zero) == nil)
    }

    @Test func receiveTimesOut() throws {
        let (a, b) = try SeqPacketLink.pair()
        defer { a.close() }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try b.receive(timeout: .milliseconds(50)) == nil)
        #expect(clock.now - start >= .milliseconds(45))
    }

    @Test func oversizeDatagramIsDroppedWhole() throws {
        let dir = try temporaryDirectory("oversize")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let listener = try SeqPacketListener(path: dir + "/s.sock", maximumPDUSize: 23)
        let wide = try SeqPacketLink.connect(path: dir + "/s.sock", maximumPDUSize: 517)
        let narrow = try #require(try listener.accept(timeout: .seconds(1)))
        #expect(transportError { () throws(TransportError) in try narrow.send([UInt8](repeating: 1, count: 24)) }?.code == .pduTooLarge)
        // A 24-octet datagram into a 23-octet receiver: reported, dropped whole; the next one intact.
        try wide.send([UInt8](repeating: 1, count: 24))
        try wide.send(hex("1E"))
        #expect(transportError { () throws(TransportError) in try narrow.receive(timeout: .seconds(1)) }?.code == .pduTooLarge)
        #expect(try narrow.receive(timeout: .seconds(1)) == hex("1E"))
    }

    @Test func listenerAcceptsAndPeerCloseIsReported() throws {
        let dir = try temporaryDirectory("seqpacket")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/lock.sock"
        let listener = try SeqPacketListener(path: path)
        #expect(try listener.accept(timeout: .zero) == nil)
        let client = try SeqPacketLink.connect(path: path)
        let server = try #require(try listener.accept(timeout: .seconds(1)))
        try client.send(hex("02 F700"))
        #expect(try server.receive(timeout: .seconds(1)) == hex("02 F700"))
        try server.send(hex("03 F700"))
        #expect(try client.receive(timeout: .seconds(1)) == hex("03 F700"))
        client.close()
        #expect(transportError { () throws(TransportError) in try server.receive(timeout: .seconds(1)) }?.code == .closed)
        listener.close()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(transportError { () throws(TransportError) in try SeqPacketLink.connect(path: path) }?.code == .system)
        #expect(transportError { () throws(TransportError) in try SeqPacketLink.connect(path: "/" + String(repeating: "x", count: 120)) }?.code == .pathTooLong)
    }
}
