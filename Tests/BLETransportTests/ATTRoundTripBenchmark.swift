import BLEATT
import BLETransport
import Foundation

/// ATT round trips per second over a link: the client side's ATTBearer sends a Read Request
/// (`0A 0E00`), the server side's ATTBearer answers an 8-octet Read Response, the client's bearer
/// takes it. Measures the link plus two bearers, no GATT.
enum ATTRoundTripBenchmark {
    /// Round trips per second over an ``InProcessLink`` pair, both ends polled on this thread.
    static func inProcess(for duration: Duration) throws -> Double {
        let (phone, lock) = InProcessLink.pair()
        var client = ATTBearer()
        var server = ATTBearer()
        return try measure(duration) {
            try phone.send(try client.send(.readRequest(handle: 0x000E), at: .zero))
            guard let request = try lock.receive(timeout: .zero) else { throw Lost() }
            for case .request in server.receive(request) {
                try lock.send(try server.send(.readResponse(value: Array("2A37599A".utf8)), at: .zero))
            }
            guard let response = try phone.receive(timeout: .zero) else { throw Lost() }
            _ = client.receive(response)
        }
    }

    /// Round trips per second over a ``SeqPacketLink`` through a socket file, the server on its own
    /// thread.
    static func socket(for duration: Duration) throws -> Double {
        let dir = "/tmp/latchkey-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let listener = try SeqPacketListener(path: dir + "/bench.sock")
        defer { listener.close() }
        let done = DispatchSemaphore(value: 0)
        let serverThread = Thread {
            defer { done.signal() }
            guard let link = try? listener.accept(timeout: .seconds(5)) else { return }
            var server = ATTBearer()
            while let request = try? link.receive(timeout: .seconds(5)) {
                for case .request in server.receive(request) {
                    guard let octets = try? server.send(.readResponse(value: Array("2A37599A".utf8)), at: .zero) else { return }
                    try? link.send(octets)
                }
            }
        }
        serverThread.start()
        let phone = try SeqPacketLink.connect(path: dir + "/bench.sock")
        var client = ATTBearer()
        let rate = try measure(duration) {
            try phone.send(try client.send(.readRequest(handle: 0x000E), at: .zero))
            guard let response = try phone.receive(timeout: .seconds(5)) else { throw Lost() }
            _ = client.receive(response)
        }
        phone.close()
        done.wait()
        return rate
    }

    struct Lost: Error {}

    private static func measure(_ duration: Duration, _ roundTrip: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        for _ in 0..<1000 { try roundTrip() }  // warm up
        let start = clock.now
        var count = 0
        while clock.now - start < duration {
            for _ in 0..<256 { try roundTrip() }
            count += 256
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(count) / seconds
    }
}
