import BLETransport
import Testing

/// The in-memory link: whole PDUs in order both ways, never waiting.
@Suite struct InProcessLinkTests {
    @Test func carriesWholePDUsInOrderBothWays() throws {
        let (a, b) = InProcessLink.pair()
        try a.send(hex("12 0300 0100030027A7"))
        try a.send(hex("52 0300 01"))
        try b.send(hex("13"))
        #expect(try b.receive(timeout: .zero) == hex("12 0300 0100030027A7"))
        #expect(try b.receive(timeout: .zero) == hex("52 0300 01"))
        #expect(try b.receive(timeout: .seconds(10)) == nil)  // never waits
        #expect(try a.receive(timeout: .zero) == hex("13"))
        for i in 0..<200 { try a.send([0x1B, UInt8(i)]) }
        for i in 0..<200 { #expect(try b.receive(timeout: .zero) == [0x1B, UInt8(i)]) }
    }

    @Test func refusesEmptyAndOversizePDUs() {
        let (a, _) = InProcessLink.pair(maximumPDUSize: 23)
        #expect(transportError { () throws(TransportError) in try a.send([]) }?.code == .emptyPDU)
        #expect(transportError { () throws(TransportError) in try a.send([UInt8](repeating: 1, count: 24)) }?.code == .pduTooLarge)
    }

    @Test func closeDrainsThenReportsClosed() throws {
        let (a, b) = InProcessLink.pair()
        try a.send(hex("1E"))
        a.close()
        #expect(transportError { () throws(TransportError) in try a.send(hex("1E")) }?.code == .closed)
        #expect(try b.receive(timeout: .zero) == hex("1E"))
        #expect(transportError { () throws(TransportError) in try b.receive(timeout: .zero) }?.code == .closed)
        #expect(transportError { () throws(TransportError) in try b.send(hex("1E")) }?.code == .closed)
    }
}

/// Runs `body` and returns the typed error it throws, or `nil`.
func transportError<T>(_ body: () throws(TransportError) -> T) -> TransportError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
