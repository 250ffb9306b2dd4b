import LockWire
import Testing

/// Joining fragments into frames, and its caps (security case P-07).
@Suite struct ReassemblyTests {
    static func frames() throws -> (plain: [UInt8], encrypted: [UInt8]) {
        let v = try SetA.load()
        return (try v.bytes("authorization_id_message"), try v.bytes("keyturner_states_reply_message"))
    }

    @Test func everySplitPointGivesTheSameFrame() throws {
        let (plain, encrypted) = try Self.frames()
        for (framing, frame) in [(FragmentReassembler.Framing.plain, plain), (.encrypted, encrypted)] {
            for split in 1..<frame.count {
                var r = FragmentReassembler(framing: framing)
                #expect(try r.append(frame[..<split]).isEmpty)
                #expect(try r.append(frame[split...]) == [frame])
                #expect(r.isIdle)
            }
        }
    }

    @Test func byteByByteAndMTUChunksJoin() throws {
        let (_, encrypted) = try Self.frames()
        var r = FragmentReassembler(framing: .encrypted)
        var out: [[UInt8]] = []
        for byte in encrypted { out += try r.append([byte]) }
        #expect(out == [encrypted])
        for chunk in stride(from: 0, to: encrypted.count, by: 20) {
            out += try r.append(encrypted[chunk..<min(chunk + 20, encrypted.count)])
        }
        #expect(out == [encrypted, encrypted])
    }

    @Test func twoFramesInOneChunkBothComplete() throws {
        let (plain, _) = try Self.frames()
        var r = FragmentReassembler(framing: .plain)
        let status: [UInt8] = [0x0E, 0x00, 0x00, 0x9D, 0xD7]
        #expect(try r.append(status + plain[..<10]) == [status])
        #expect(try r.append(plain[10...]) == [plain])
    }

    @Test func capOnBytesEmptiesTheBuffer() throws {
        var r = FragmentReassembler(framing: .encrypted, maxBytes: 40, maxFragments: 100)
        let (_, encrypted) = try Self.frames()
        _ = try r.append(encrypted[..<30])
        let error = wireError { () throws(WireError) in try r.append(encrypted[30..<50]) }
        #expect(error?.code == .reassemblyLimit)
        #expect(error?.code.nukiErrorCode.rawValue == 0xFE)
        #expect(r.isIdle)
    }

    @Test func capOnFragmentsEmptiesTheBuffer() throws {
        var r = FragmentReassembler(framing: .encrypted, maxBytes: 1000, maxFragments: 5)
        let (_, encrypted) = try Self.frames()
        for i in 0..<5 { _ = try r.append([encrypted[i]]) }
        #expect(wireError { () throws(WireError) in try r.append([encrypted[5]]) }?.code == .reassemblyLimit)
        #expect(r.bufferedByteCount == 0)
    }

    @Test func hostileLengthFieldIsRejectedBeforeBuffering() {
        var r = FragmentReassembler(framing: .encrypted)
        let header = [UInt8](repeating: 0, count: 28) + [0xFF, 0xFF]
        #expect(wireError { () throws(WireError) in try r.append(header) }?.code == .lengthOutOfRange)
        #expect(r.isIdle)
    }

    @Test func plainCommandWithoutFixedSizeIsRefused() {
        var r = FragmentReassembler(framing: .plain)
        #expect(wireError { () throws(WireError) in try r.append([0x0D, 0x00, 0x01]) }?.code == .unknownCommand)
        #expect(r.isIdle)
    }

    @Test func preparedWritesJoinByOffsetInAnyOrder() throws {
        let (plain, _) = try Self.frames()
        var r = FragmentReassembler(framing: .plain)
        try r.write(plain[40...], offset: 40)
        try r.write(plain[..<18], offset: 0)
        try r.write(plain[18..<40], offset: 18)
        try r.write([0xEE, 0xEE], offset: 2)  // overwritten below: later writes win
        try r.write(plain[2..<4], offset: 2)
        #expect(try r.assemble() == plain)
        #expect(r.isIdle)
    }

    @Test func preparedWritesWithAGapAreTruncated() throws {
        var r = FragmentReassembler(framing: .plain)
        try r.write([1, 2], offset: 0)
        try r.write([5, 6], offset: 4)
        #expect(wireError { () throws(WireError) in try r.assemble() }?.code == .truncated)
        #expect(r.isIdle)
    }

    @Test func preparedWritePastTheCapIsRefused() {
        var r = FragmentReassembler(framing: .plain, maxBytes: 64, maxFragments: 4)
        #expect(wireError { () throws(WireError) in try r.write([1], offset: 64) }?.code == .reassemblyLimit)
        #expect(wireError { () throws(WireError) in try r.write([1], offset: Int.max) }?.code == .reassemblyLimit)
        for i in 0..<4 { try? r.write([1], offset: i) }
        #expect(wireError { () throws(WireError) in try r.write([1], offset: 4) }?.code == .reassemblyLimit)
    }

    /// Found by a new-user probe: the cap held per way in but not across both.
    @Test func capHoldsAcrossSequentialAndPreparedFragments() throws {
        var r = FragmentReassembler(framing: .encrypted)
        let head = [UInt8](repeating: 0, count: 28) + [0x18, 0x02] + [UInt8](repeating: 0xAA, count: 470)
        #expect(try r.append(head).isEmpty)
        #expect(wireError { () throws(WireError) in try r.write([UInt8](repeating: 0xBB, count: 67), offset: 0) }?.code == .reassemblyLimit)
        #expect(r.isIdle)
    }

    @Test func capsCanOnlyBeLowered() throws {
        var r = FragmentReassembler(framing: .plain, maxBytes: .max, maxFragments: .max)
        #expect(r.maxBytes == WireLimits.maxReassembledBytes)
        #expect(r.maxFragments == WireLimits.maxFragments)
        #expect(wireError { () throws(WireError) in try r.write([1], offset: Int.max - 1) }?.code == .reassemblyLimit)
        #expect(FragmentReassembler(framing: .plain, maxBytes: -5).maxBytes == 0)
    }

    @Test func wholeFrameChunkTakesTheFastPathAndStillChecksLimits() throws {
        let (plain, encrypted) = try Self.frames()
        var r = FragmentReassembler(framing: .encrypted)
        #expect(try r.append(encrypted) == [encrypted])
        #expect(r.isIdle)
        var p = FragmentReassembler(framing: .plain)
        #expect(try p.append(plain) == [plain])
        var bad = encrypted
        bad[28] = 0xFF
        bad[29] = 0xFF
        #expect(wireError { () throws(WireError) in try r.append(bad) }?.code == .lengthOutOfRange)
        #expect(r.isIdle)
    }
}
