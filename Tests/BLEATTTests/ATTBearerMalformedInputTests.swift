import BLEATT
import Testing

/// What a server bearer must do with one malformed input.
enum Outcome: Sendable, Equatable {
    /// Answer with exactly these octets (an Error Response).
    case answer([UInt8])
    /// Drop it, report a protocol violation, send nothing.
    case dropReported
    /// Ignore it completely (§3.3: an unsupported command).
    case ignore
}

struct MalformedCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let outcome: Outcome
    var testDescription: String { name }
}

/// The malformed-PDU table of issue 4: each input gets the right Error Response, or is dropped as
/// Bluetooth Core 5.4, Vol 3, Part F, §3.3 says, and the bearer answers a valid request afterwards.
@Suite struct ATTBearerMalformedInputTests {
    static let cases: [MalformedCase] = [
        // Wrong lengths of fixed-size requests: Invalid PDU, handle 0x0000 (§3.3, §3.4.4.3).
        MalformedCase(name: "short Read Request", input: hex("0A 03"), outcome: .answer(hex("01 0A 0000 04"))),
        MalformedCase(name: "long Read Request", input: hex("0A 0300 00"), outcome: .answer(hex("01 0A 0000 04"))),
        MalformedCase(name: "opcode-only Read Blob Request", input: hex("0C"), outcome: .answer(hex("01 0C 0000 04"))),
        MalformedCase(name: "short Exchange MTU Request", input: hex("02 F7"), outcome: .answer(hex("01 02 0000 04"))),
        MalformedCase(name: "long Find Information Request", input: hex("04 0100 FFFF 00"), outcome: .answer(hex("01 04 0000 04"))),
        MalformedCase(name: "Read By Type Request, 3-octet type", input: hex("08 0100 FFFF 0328 00"), outcome: .answer(hex("01 08 0000 04"))),
        MalformedCase(name: "Read By Group Type Request, no type", input: hex("10 0100 FFFF"), outcome: .answer(hex("01 10 0000 04"))),
        MalformedCase(name: "Execute Write Request, reserved flags 0x02", input: hex("18 02"), outcome: .answer(hex("01 18 0000 04"))),
        MalformedCase(name: "Write Request, PDU longer than ATT_MTU 23", input: hex("12 0F00") + [UInt8](repeating: 0x55, count: 21), outcome: .answer(hex("01 12 0000 04"))),
        MalformedCase(name: "Read Request, PDU longer than ATT_MTU 23", input: hex("0A 0300") + [UInt8](repeating: 0, count: 21), outcome: .answer(hex("01 0A 0000 04"))),
        // Bad handles: Invalid Handle with the offending handle (§3.2.2, §3.4.3.1).
        MalformedCase(name: "Read Request, handle 0x0000", input: hex("0A 0000"), outcome: .answer(hex("01 0A 0000 01"))),
        MalformedCase(name: "Write Request, handle 0x0000", input: hex("12 0000 01"), outcome: .answer(hex("01 12 0000 01"))),
        MalformedCase(name: "Prepare Write Request, handle 0x0000", input: hex("16 0000 0000 AA"), outcome: .answer(hex("01 16 0000 01"))),
        MalformedCase(name: "Find Information Request, start 0x0000", input: hex("04 0000 FFFF"), outcome: .answer(hex("01 04 0000 01"))),
        MalformedCase(name: "Find Information Request, start > end", input: hex("04 0500 0100"), outcome: .answer(hex("01 04 0500 01"))),
        MalformedCase(name: "Find By Type Value Request, start > end", input: hex("06 2000 1000 0028 0018"), outcome: .answer(hex("01 06 2000 01"))),
        MalformedCase(name: "Read By Type Request, start > end", input: hex("08 0900 0200 0328"), outcome: .answer(hex("01 08 0900 01"))),
        MalformedCase(name: "Read By Group Type Request, start > end", input: hex("10 FFFF 0100 0028"), outcome: .answer(hex("01 10 FFFF 01"))),
        // Unknown and unsupported requests: Request Not Supported, handle 0x0000 (§3.3).
        MalformedCase(name: "unknown opcode 0x3F", input: hex("3F"), outcome: .answer(hex("01 3F 0000 06"))),
        MalformedCase(name: "unknown opcode 0x3F with parameters", input: hex("3F 0100 0200"), outcome: .answer(hex("01 3F 0000 06"))),
        MalformedCase(name: "unknown opcode 0x14 (between Write Response and Prepare Write)", input: hex("14 0100"), outcome: .answer(hex("01 14 0000 06"))),
        MalformedCase(name: "unknown opcode 0x8A (signature bit, no command bit)", input: hex("8A 0300"), outcome: .answer(hex("01 8A 0000 06"))),
        MalformedCase(name: "Read Multiple Request (known, unsupported)", input: hex("0E 0100 0200"), outcome: .answer(hex("01 0E 0000 06"))),
        MalformedCase(name: "Read Multiple Variable Request (known, unsupported)", input: hex("20 0100 0200"), outcome: .answer(hex("01 20 0000 06"))),
        // Commands are never answered (§3.3).
        MalformedCase(name: "unknown command 0x7F", input: hex("7F 0100 02"), outcome: .ignore),
        MalformedCase(name: "unknown command 0x40", input: hex("40"), outcome: .ignore),
        MalformedCase(name: "unknown signed command 0xFF", input: hex("FF 00"), outcome: .ignore),
        MalformedCase(name: "Signed Write Command (known, unsupported)", input: hex("D2 0300 01") + [UInt8](repeating: 0, count: 12), outcome: .ignore),
        MalformedCase(name: "Write Command, handle 0x0000", input: hex("52 0000 01"), outcome: .dropReported),
        MalformedCase(name: "Write Command, short", input: hex("52 03"), outcome: .dropReported),
        MalformedCase(name: "Write Command, longer than ATT_MTU 23", input: hex("52 0300") + [UInt8](repeating: 1, count: 21), outcome: .dropReported),
        // Responses and confirmations nobody asked for; bad notifications and indications.
        MalformedCase(name: "empty PDU", input: [], outcome: .dropReported),
        MalformedCase(name: "Read Response with no request outstanding", input: hex("0B 01"), outcome: .dropReported),
        MalformedCase(name: "Error Response with no request outstanding", input: hex("01 0A 0300 0A"), outcome: .dropReported),
        MalformedCase(name: "Read Multiple Response (unsupported) unasked", input: hex("0F 01"), outcome: .dropReported),
        MalformedCase(name: "confirmation with no indication outstanding", input: hex("1E"), outcome: .dropReported),
        MalformedCase(name: "long confirmation", input: hex("1E 00"), outcome: .dropReported),
        MalformedCase(name: "notification, handle 0x0000", input: hex("1B 0000 01"), outcome: .dropReported),
        MalformedCase(name: "indication, short", input: hex("1D 03"), outcome: .dropReported),
        MalformedCase(name: "Multiple Handle Value Notification (unsupported)", input: hex("23 0300 0100 01"), outcome: .dropReported),
    ]

    /// Checks one input's outcome on `bearer`.
    static func check(_ c: MalformedCase, on bearer: inout ATTBearer) {
        let events = bearer.receive(c.input)
        switch c.outcome {
        case .answer(let bytes):
            #expect(events == [.send(bytes)], "\(c.name)")
        case .dropReported:
            #expect(onlyViolations(events), "\(c.name): \(events)")
        case .ignore:
            #expect(events.isEmpty, "\(c.name): \(events)")
        }
        #expect(bearer.pendingRequest == nil, "\(c.name) left a request pending")
    }

    /// A valid Read Request still reaches the layer above and can be answered.
    static func checkStillUsable(_ bearer: inout ATTBearer, _ name: String) throws {
        #expect(bearer.receive(hex("0A 0300")) == [.request(.readRequest(handle: 3))], "after \(name)")
        #expect(try bearer.send(.readResponse(value: [0x42]), at: .zero) == hex("0B 42"), "after \(name)")
        #expect(bearer.pendingRequest == nil)
    }

    @Test(arguments: cases)
    func malformedInputIsAnsweredOrDroppedAndTheBearerStaysUsable(_ c: MalformedCase) throws {
        var bearer = ATTBearer()
        Self.check(c, on: &bearer)
        try Self.checkStillUsable(&bearer, c.name)
        #expect(bearer.mtu == ATTLimits.defaultMTU)
        #expect(!bearer.isClosed)
    }

    /// The whole table through one connection, with a valid request after each input.
    @Test func theWholeTableThroughOneBearer() throws {
        var bearer = ATTBearer()
        for c in Self.cases {
            Self.check(c, on: &bearer)
            try Self.checkStillUsable(&bearer, c.name)
        }
    }

    /// §3.4.6.1: the queue holds at most `maxPreparedWrites` entries; one more is Prepare Queue Full
    /// naming the request's handle. The queued writes survive and still execute.
    @Test func prepareWriteOverflowByEntriesIsPrepareQueueFull() throws {
        var bearer = ATTBearer(configuration: .init(maxPreparedWrites: 2, maxPreparedBytes: 1024))
        for offset: UInt16 in [0, 2] {
            let write = ATTPreparedWrite(handle: 0x0E, offset: offset, value: [0xAA, 0xBB])
            #expect(bearer.receive(ATTPDU.prepareWriteRequest(write).encoded()) == [.request(.prepareWriteRequest(write))])
            #expect(try bearer.send(.prepareWriteResponse(write), at: .zero) == ATTPDU.prepareWriteResponse(write).encoded())
        }
        #expect(bearer.receive(hex("16 0E00 0400 CC DD")) == [.send(hex("01 16 0E00 09"))])
        #expect(bearer.prepareQueue.count == 2)
        #expect(bearer.preparedBytes == 4)
        let events = bearer.receive(hex("18 01"))
        #expect(events == [.executeWrite([
            ATTPreparedWrite(handle: 0x0E, offset: 0, value: [0xAA, 0xBB]),
            ATTPreparedWrite(handle: 0x0E, offset: 2, value: [0xAA, 0xBB]),
        ])])
        #expect(bearer.prepareQueue.isEmpty)
        #expect(try bearer.send(.executeWriteResponse, at: .zero) == hex("19"))
        try Self.checkStillUsable(&bearer, "overflow")
    }

    @Test func prepareWriteOverflowByBytesIsPrepareQueueFull() throws {
        var bearer = ATTBearer(configuration: .init(maxPreparedWrites: 64, maxPreparedBytes: 4))
        #expect(bearer.receive(hex("16 0F00 0000 01 02 03 04 05")) == [.send(hex("01 16 0F00 09"))])
        let fits = ATTPreparedWrite(handle: 0x0F, offset: 0, value: [1, 2, 3])
        #expect(bearer.receive(ATTPDU.prepareWriteRequest(fits).encoded()) == [.request(.prepareWriteRequest(fits))])
        _ = try bearer.send(.prepareWriteResponse(fits), at: .zero)
        #expect(bearer.receive(hex("16 0F00 0300 04 05")) == [.send(hex("01 16 0F00 09"))])
        #expect(bearer.receive(hex("16 0F00 0300 04")) == [.request(.prepareWriteRequest(ATTPreparedWrite(handle: 0x0F, offset: 3, value: [4])))])
    }

    /// The default limits: 64 entries, 1024 octets.
    @Test func defaultPrepareQueueHolds64Entries() throws {
        var bearer = ATTBearer()
        for i in 0..<64 {
            let write = ATTPreparedWrite(handle: 0x0E, offset: UInt16(i), value: [UInt8(i)])
            #expect(bearer.receive(ATTPDU.prepareWriteRequest(write).encoded()) == [.request(.prepareWriteRequest(write))])
            _ = try bearer.send(.prepareWriteResponse(write), at: .zero)
        }
        #expect(bearer.receive(hex("16 0E00 4000 40")) == [.send(hex("01 16 0E00 09"))])
        #expect(bearer.receive(hex("18 00")) == [.send(hex("19"))])
        #expect(bearer.prepareQueue.isEmpty)
    }

    /// §3.4.6.3: Execute Write with nothing prepared is answered with Execute Write Response, and
    /// nothing is written (no executeWrite event).
    @Test func executeWithoutPrepareIsJustAResponse() throws {
        var bearer = ATTBearer()
        #expect(bearer.receive(hex("18 01")) == [.send(hex("19"))])
        #expect(bearer.receive(hex("18 00")) == [.send(hex("19"))])
        try Self.checkStillUsable(&bearer, "execute without prepare")
    }

    /// §3.4.6.3: flags 0x00 cancels every prepared write.
    @Test func cancelClearsTheQueue() throws {
        var bearer = ATTBearer()
        let write = ATTPreparedWrite(handle: 0x0E, offset: 0, value: [1])
        _ = bearer.receive(ATTPDU.prepareWriteRequest(write).encoded())
        _ = try bearer.send(.prepareWriteResponse(write), at: .zero)
        #expect(bearer.prepareQueue == [write])
        #expect(bearer.receive(hex("18 00")) == [.send(hex("19"))])
        #expect(bearer.prepareQueue.isEmpty)
        #expect(bearer.receive(hex("18 01")) == [.send(hex("19"))])
    }

    /// A prepare write the layer above refuses is not queued.
    @Test func refusedPrepareWriteIsNotQueued() throws {
        var bearer = ATTBearer()
        _ = bearer.receive(hex("16 0E00 0000 01"))
        #expect(try bearer.sendError(.writeNotPermitted, handle: 0x0E, at: .zero) == hex("01 16 0E00 03"))
        #expect(bearer.prepareQueue.isEmpty)
        #expect(bearer.receive(hex("18 01")) == [.send(hex("19"))])
    }

    /// §3.3.2: a second request before our response is dropped (documented on ATTBearer); the first
    /// stays pending, and after it is answered the connection serves requests normally.
    @Test func pipelinedRequestIsDroppedAndTheFirstStaysPending() throws {
        var bearer = ATTBearer()
        #expect(bearer.receive(hex("0A 0300")) == [.request(.readRequest(handle: 3))])
        let second = bearer.receive(hex("0A 0400"))
        #expect(onlyViolations(second))
        if case .protocolViolation(let error) = second.first { #expect(error.code == .requestOutstanding) }
        // Malformed and unknown requests pipelined behind it are dropped too, not answered.
        #expect(onlyViolations(bearer.receive(hex("3F"))))
        #expect(onlyViolations(bearer.receive(hex("0A 00"))))
        #expect(onlyViolations(bearer.receive(hex("02 F7 00"))))
        #expect(bearer.mtu == ATTLimits.defaultMTU)
        // Commands have no flow control and still arrive.
        #expect(bearer.receive(hex("52 0E00 01")) == [.command(.writeCommand(handle: 0x0E, value: [1]))])
        #expect(bearer.pendingRequest == .readRequest(handle: 3))
        #expect(try bearer.send(.readResponse(value: [7]), at: .zero) == hex("0B 07"))
        #expect(bearer.receive(hex("0A 0400")) == [.request(.readRequest(handle: 4))])
        #expect(try bearer.sendError(.readNotPermitted, handle: 4, at: .zero) == hex("01 0A 0400 02"))
        try Self.checkStillUsable(&bearer, "pipelining")
    }

    /// After Exchange MTU the limit moves: the 24-octet write that was too long now fits.
    @Test func mtuLimitFollowsTheExchange() throws {
        var bearer = ATTBearer(configuration: .init(localMTU: 64))
        let write = hex("12 0F00") + [UInt8](repeating: 0x55, count: 21)
        #expect(bearer.receive(write) == [.send(hex("01 12 0000 04"))])
        #expect(bearer.receive(hex("02 F7 00")) == [.send(hex("03 4000")), .mtuChanged(64)])
        #expect(bearer.receive(write) == [.request(.writeRequest(handle: 0x0F, value: [UInt8](repeating: 0x55, count: 21)))])
        _ = try bearer.send(.writeResponse, at: .zero)
        let tooLong = hex("12 0F00") + [UInt8](repeating: 0x55, count: 62)  // 65 octets
        #expect(bearer.receive(tooLong) == [.send(hex("01 12 0000 04"))])
    }
}
