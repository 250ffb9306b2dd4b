import BLETransport
import Foundation
import Testing

/// Captures read back: the PDUs, directions and handles written, in both formats; bad files refused.
@Suite struct CaptureReaderTests {
    static let pdus: [([UInt8], CaptureDirection, UInt16)] = [
        ([0x12, 0x03, 0x00, 0x01, 0x00, 0x03, 0x00, 0x27, 0xA7], .received, 0x0040),
        ([0x13], .sent, 0x0040),
        ([0x1D, 0x03, 0x00] + [UInt8](repeating: 0xAB, count: 20), .sent, 0x0041),
        ([0x1E], .received, 0x0041),
    ]

    @Test(arguments: ["btsnoop", "pcap"])
    func recordsRoundTrip(format: String) throws {
        let path = NSTemporaryDirectory() + "latchkey-capture-\(UUID().uuidString).\(format)"
        let writer = try CaptureWriter(path: path, clock: { 1_764_489_600_000_000 })
        for (pdu, direction, handle) in Self.pdus { #expect(writer.record(pdu, direction: direction, connectionHandle: handle) == nil) }
        let records = try CaptureReader.read(path: path)
        #expect(records.map(\.pdu) == Self.pdus.map(\.0))
        #expect(records.map(\.direction) == Self.pdus.map(\.1))
        #expect(records.map(\.connectionHandle) == Self.pdus.map(\.2))
        #expect(records.allSatisfy { $0.timestampMicroseconds == 1_764_489_600_000_000 })
    }

    @Test func corruptFilesAreRefused() throws {
        #expect(throws: TransportError.self) { try CaptureReader.parse([]) }
        #expect(throws: TransportError.self) { try CaptureReader.parse(Array("btsnoop".utf8) + [0, 0, 0, 0, 1]) }
        let path = NSTemporaryDirectory() + "latchkey-capture-\(UUID().uuidString).btsnoop"
        let writer = try CaptureWriter(path: path)
        _ = writer.record([0x13], direction: .sent, connectionHandle: 0x40)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try CaptureReader.parse(bytes).count == 1)
        bytes.removeLast()
        #expect(throws: TransportError.self) { try CaptureReader.parse(bytes) }
        bytes[16 + 7] = 0xFF  // included length past the end
        #expect(throws: TransportError.self) { try CaptureReader.parse(bytes) }
    }
}
