import Foundation
import Testing

/// ATT round-trip figures; runs only with `LATCHKEY_BENCH=1` (timing never gates the suite).
@Suite struct BenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LATCHKEY_BENCH"] == "1", "set LATCHKEY_BENCH=1 to measure"))
    func attRoundTripsPerSecond() throws {
        let inProcess = try ATTRoundTripBenchmark.inProcess(for: .seconds(2))
        let socket = try ATTRoundTripBenchmark.socket(for: .seconds(2))
        print("ATT round trips/s: in-process \(Int(inProcess)), SOCK_SEQPACKET socket \(Int(socket))")
        #expect(inProcess > 0 && socket > 0)
    }

    /// A short run of both, so the measuring code itself stays tested.
    @Test func benchmarkCodeRuns() throws {
        #expect(try ATTRoundTripBenchmark.inProcess(for: .milliseconds(20)) > 0)
        #expect(try ATTRoundTripBenchmark.socket(for: .milliseconds(20)) > 0)
    }
}
