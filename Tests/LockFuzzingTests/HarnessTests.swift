import LockFuzzing
import LockWire
import Testing

/// The harnesses never trap on odd inputs, and their invariants fire when a codec is planted with a bug.
@Suite struct HarnessTests {
    @Test(arguments: FuzzTarget.allCases)
    func edgeInputsPass(target: FuzzTarget) {
        let inputs: [[UInt8]] = [
            [], [0], [1], [0xFF], [0, 0], [1, 0, 0], [0xFF, 0xFF, 0xFF],
            [UInt8](repeating: 0, count: 40), [UInt8](repeating: 0xFF, count: 40),
            [UInt8](repeating: 0x01, count: target.maxInputLength),
            [UInt8](repeating: 0xAB, count: 2 * target.maxInputLength),
        ]
        for input in inputs {
            #expect(target.check(input[...]) == nil, "\(target) \(input.count) bytes")
        }
    }

    @Test func everyPrefixOfEverySeedPasses() {
        // Cheap stand-in for fuzzing in swift test: each command sample, cut at every length.
        for sample in SeedCorpus.samplePayloads(context: .smartLock).prefix(60) {
            let frame = PlainFrame(command: sample.command, payload: sample.payload).encoded()
            for end in 0...frame.count {
                #expect(PlainFrameHarness.check(frame[..<end]) == nil)
            }
        }
    }

    @Test func plantedRoundTripBugFires() {
        var codecs = WireCodecs.live
        // An encoder that drops the last payload byte of any message.
        codecs.encodeMessage = { Array($0.encodedPayload().dropLast()) }
        let frame = PlainFrame(command: .status, payload: [0x00]).encoded()
        #expect(PlainFrameHarness.check(frame[...]) == nil)
        #expect(PlainFrameHarness.check(frame[...], codecs: codecs)?.name == "payload-roundtrip")
    }

    @Test func plantedFrameEncoderBugFires() {
        var codecs = WireCodecs.live
        codecs.encodePlainFrame = { frame in
            var bytes = frame.encoded()
            bytes[0] ^= 1
            return bytes
        }
        let frame = PlainFrame(command: .requestData, payload: [0x03, 0x00]).encoded()
        #expect(PlainFrameHarness.check(frame[...], codecs: codecs)?.name == "plain-frame-roundtrip")
    }

    @Test func plantedDecoderThatAcceptsUnknownCommandsFires() {
        var codecs = WireCodecs.live
        codecs.decodeMessage = { (command: Command, payload: ArraySlice<UInt8>, context: WireContext) throws(WireError) -> NukiMessage in
            throw WireError(.badParameter, "planted: wrong code for an undocumented command")
        }
        let input: [UInt8] = [0x00, 0x99, 0x00]  // command 0x0099 is undocumented
        #expect(CommandPayloadHarness.check(input[...]) == nil)
        #expect(CommandPayloadHarness.check(input[...], codecs: codecs)?.name == "payload-error-code")
    }

    @Test func plantedLimitBreachFires() {
        var codecs = WireCodecs.live
        // A decoder that accepts any payload as a Status: oversize payloads must be flagged.
        codecs.decodeMessage = { (_: Command, _: ArraySlice<UInt8>, _: WireContext) throws(WireError) -> NukiMessage in
            .status(try Status(payload: [0x00]))
        }
        codecs.encodeMessage = { _ in [UInt8](repeating: 0, count: WireLimits.maxPayloadBytes + 1) }
        let input = [0x00, 0x0E, 0x00] + [UInt8](repeating: 0, count: WireLimits.maxPayloadBytes + 1)
        #expect(CommandPayloadHarness.check(input[...], codecs: codecs)?.name == "payload-limit")
    }

    @Test func reassemblyComparisonsFire() {
        let frame: [UInt8] = [0x0E, 0x00, 0x00, 0x9D, 0xD7]
        let good = ReassemblyHarness.Outcome(frames: [frame], buffered: 0, error: nil)
        #expect(ReassemblyHarness.compare(unsplit: good, split: good) == nil)
        let lost = ReassemblyHarness.Outcome(frames: [], buffered: 5, error: nil)
        #expect(ReassemblyHarness.compare(unsplit: good, split: lost)?.name == "split-equals-unsplit")
        #expect(ReassemblyHarness.checkAccounting(good, stream: frame[...], framing: .plain) == nil)
        let invented = ReassemblyHarness.Outcome(frames: [[0x0E, 0x00, 0x01, 0x9D, 0xD7]], buffered: 0, error: nil)
        #expect(ReassemblyHarness.checkAccounting(invented, stream: frame[...], framing: .plain)?.name == "frames-are-stream-prefix")
        let dropped = ReassemblyHarness.Outcome(frames: [], buffered: 2, error: nil)
        #expect(ReassemblyHarness.checkAccounting(dropped, stream: frame[...], framing: .plain)?.name == "frames-are-stream-prefix")
        let wrongSize = ReassemblyHarness.Outcome(frames: [[0x0E, 0x00, 0x00, 0x9D]], buffered: 1, error: nil)
        #expect(ReassemblyHarness.checkAccounting(wrongSize, stream: frame[...], framing: .plain)?.name == "frame-size")
    }

    @Test func invariantPredicates() {
        #expect(Invariant.sameBytes("x", expected: [1, 2], actual: [1, 2]) == nil)
        #expect(Invariant.sameBytes("x", expected: [1, 2], actual: [1, 3])?.name == "x")
        #expect(Invariant.within("y", 513, 0...512)?.description.hasPrefix("invariant y: 513") == true)
        #expect(Invariant.holds("z", true, "never built") == nil)
    }

    @Test func sealedModeReachesPastTheMAC() {
        // Set A's Request Data plaintext (auth id 2, command 0x0001 asking for 0x000C), sealed and opened.
        let plaintext: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0C, 0x00, 0x41, 0x8D]
        for mode: UInt8 in [0x01, 0x03, 0x05, 0xFD, 0xFF] {
            #expect(EncryptedEnvelopeHarness.check(([mode] + plaintext)[...]) == nil)
            var badCRC = plaintext
            badCRC[9] ^= 0xFF
            #expect(EncryptedEnvelopeHarness.check(([mode] + badCRC)[...]) == nil)
        }
    }

    @Test func everyDocumentedCommandHasASeedSample() {
        #expect(SeedCorpus.commandsWithoutSample(context: .smartLock).isEmpty)
        #expect(SeedCorpus.commandsWithoutSample(context: .ultra).isEmpty)
    }
}
