import LockFuzzing
import LockWire
import Testing

/// Target 10, the fob's NFC card and the reader side.
@Suite struct FobNFCHarnessTests {
    @Test func seedsHoldEveryInvariant() {
        let seeds = FobNFCHarness.seeds()
        #expect(seeds.count == 6)
        for seed in seeds { #expect(FobNFCHarness.check(seed[...]) == nil, "\(Hex.encode(seed))") }
    }

    @Test func exhaustedCounterAndJunkNeverBreakAnInvariant() {
        // Counter at 2³²−3: three successes, then 69 83 for ever.
        let auth: [UInt8] = [0x02] + [UInt8](repeating: 7, count: 32)
        #expect(FobNFCHarness.check(([0x01, 0x01] + auth + auth + auth + auth + auth)[...]) == nil)
        // Pseudo-random inputs (a fixed LCG): no trap, no violation.
        var state: UInt32 = 12345
        for _ in 0..<2_000 {
            var input: [UInt8] = []
            for _ in 0..<Int(state % 200) {
                state = state &* 1_103_515_245 &+ 12345
                input.append(UInt8(truncatingIfNeeded: state >> 16))
            }
            state = state &* 1_103_515_245 &+ 12345
            #expect(FobNFCHarness.check(input[...]) == nil, "\(Hex.encode(input))")
        }
    }

    @Test func targetIsRegistered() {
        #expect(FuzzTarget(rawValue: "fobNFC") == .fobNFC)
        #expect(FuzzTarget.fobNFC.directoryName == "FobNFC" && FuzzTarget.fobNFC.productName == "FobNFCFuzzer")
        #expect(FuzzTarget.fobNFC.maxInputLength == 1024)
    }
}
