import BLEATT
import LockCore
import LockCrypto
import LockPeripherals
import LockSession
import LockWire
import Testing

/// docs/attacks.md §B1: parsing robustness. Every malformed frame is refused with the named code,
/// nothing is executed, the lock's state and persisted bytes do not change, and the connection
/// keeps working.
@Suite struct B1ParsingTests {
    /// A bench with a paired app ("app") and fob ("fob").
    static func bench(_ transport: Transport = .engine) throws -> Bench {
        var bench = try Bench(transport: transport)
        try bench.pair("app", .app)
        try bench.pair("fob", .fob)
        return bench
    }

    /// Writes each frame from `name`'s connection and checks the plain code on the keyturner GDIO,
    /// no state change and a usable connection.
    static func expectPlainRefusal(_ bench: inout Bench, _ frames: [[UInt8]], code: NukiErrorCode, from name: String = "app",
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try bench.snapshot()
        for frame in frames {
            let replies = bench.raw(frame, connection: try bench.connection(name))
            #expect(Bench.plainErrors(replies) == [code], "frame of \(frame.count) bytes", sourceLocation: sourceLocation)
            #expect(!Bench.movedTheLock(replies), sourceLocation: sourceLocation)
        }
        #expect(try bench.snapshot() == before, "state changed", sourceLocation: sourceLocation)
        bench.expectUsable(name, sourceLocation: sourceLocation)
    }

    /// A write of more bytes than the largest frame (``LockPeripherals/HostileClient/oversizedFragment(bytes:)``,
    /// announcing the largest length) is refused and changes nothing. In process the engine answers
    /// 0xFE on the keyturner GDIO. Over GATT it never reaches the lock: it is longer than an
    /// attribute value may be (512 octets, Core Vol 3 Part F §3.2.9), so the long write ends in the
    /// GATT server's Error Response Invalid Attribute Value Length (0x0D).
    static func expectOversizedRefusal(_ bench: inout Bench, from name: String = "app", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let connection = try bench.connection(name)
        let oversized = HostileClient.oversizedFragment()
        #expect(oversized.count == WireLimits.maxReassembledBytes + 1, sourceLocation: sourceLocation)
        let before = try bench.snapshot()
        let replies = bench.raw(oversized, connection: connection)
        if let gatt = bench.link as? GATTSocketLink {
            #expect(oversized.count > ATTLimits.maximumAttributeValue, sourceLocation: sourceLocation)
            #expect(gatt.gattFailures(connection).last?.errorResponse?.error == .invalidAttributeValueLength, "\(gatt.gattFailures(connection))", sourceLocation: sourceLocation)
            #expect(replies.isEmpty, "\(replies)", sourceLocation: sourceLocation)
        } else {
            #expect(Bench.plainErrors(replies) == [.badLength], sourceLocation: sourceLocation)
        }
        #expect(!Bench.movedTheLock(replies), sourceLocation: sourceLocation)
        #expect(try bench.snapshot() == before, "state changed", sourceLocation: sourceLocation)
        bench.expectUsable(name, sourceLocation: sourceLocation)
    }

    @Test(arguments: Transport.allCases)
    func test_P01_truncatedFrameIsBadLength(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let valid = try bench.sealed("app", .requestData(RequestData(requestedCommand: .keyturnerStates)))
        // Shorter than the 30-byte clear header, header alone, header + less than a MAC.
        let frames = [[], [0x01], Array(valid.prefix(29)), Array(valid.prefix(30)), Array(valid.prefix(30 + 15))]
        try Self.expectPlainRefusal(&bench, frames, code: .badLength)
    }

    @Test(arguments: Transport.allCases)
    func test_P02_lengthFieldLargerThanReceivedIsBadLength(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let valid = try bench.sealed("app", .requestData(RequestData(requestedCommand: .keyturnerStates)))
        let frames = [
            HostileClient.badLength(valid, delta: 1),
            HostileClient.badLength(valid, delta: 100),
            HostileClient.badLength(valid, delta: 0xFFFF - (valid.count - 30)),  // length field 0xFFFF
        ]
        #expect(frames[2][28] == 0xFF && frames[2][29] == 0xFF)
        try Self.expectPlainRefusal(&bench, frames, code: .badLength)
        try Self.expectOversizedRefusal(&bench)  // more bytes than the largest frame
    }

    @Test(arguments: Transport.allCases)
    func test_P03_trailingGarbageIsBadLength(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let valid = try bench.sealed("app", .requestData(RequestData(requestedCommand: .keyturnerStates)))
        try Self.expectPlainRefusal(&bench, [valid + [0x00], valid + [UInt8](repeating: 0xAA, count: 64), HostileClient.badLength(valid, delta: -1)], code: .badLength)
    }

    @Test(arguments: Transport.allCases)
    func test_P04_validMACWrongCRCIsBadCRCAndNotExecuted(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let credentials = try #require(bench.clients["app"]?.engine.credentials)
        let challenge = try bench.challenge("app")
        let frame = try HostileClient.badCRC(
            .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: challenge)), credentials: credentials, random: SeededRandomSource(seed: 4))
        let before = try bench.snapshot()
        let replies = bench.raw(frame, connection: try bench.connection("app"))
        #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.badCRC])
        #expect(!Bench.movedTheLock(replies))
        #expect(try bench.snapshot() == before)
        #expect(bench.machine.lockState == .locked)
        bench.expectUsable("app")
    }

    @Test(arguments: Transport.allCases, [UInt16(0x0000), 0x0002, 0xFFFF])
    func test_P05_unknownCommandIsErrorUnknown(transport: Transport, raw: UInt16) throws {
        var bench = try Self.bench(transport)
        let before = try bench.snapshot()
        let frame = try bench.sealedRaw("app", command: Command(rawValue: raw), payload: [0x01, 0x00])
        let replies = bench.raw(frame, connection: try bench.connection("app"))
        #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.unknown])
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    @Test(arguments: Transport.allCases)
    func test_P06_lockActionWithWrongPayloadLengthIsBadLength(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let challenge = try bench.challenge("app")
        let payload = NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: challenge)).encodedPayload()
        let before = try bench.snapshot()
        for bad in [[], payload + [0x00], Array(payload.dropLast())] {
            let frame = try bench.sealedRaw("app", command: .lockAction, payload: bad)
            let replies = bench.raw(frame, connection: try bench.connection("app"))
            #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.badLength], "payload of \(bad.count) bytes")
            #expect(!Bench.movedTheLock(replies))
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    /// The engine takes one write as one whole message (docs/wire.md §13): a frame split into two
    /// writes is refused piece by piece with 0xFE, nothing is buffered between writes (so nothing can
    /// expire or grow), and the unsplit frame afterwards works. A duplicate is refused (0x22); a
    /// write past the reassembly cap is 0xFE. GATT long-write reassembly is the GATT layer's, see the README.
    @Test(arguments: Transport.allCases)
    func test_P07_splitDuplicatedAndOversizedWritesNeverExecute(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let connection = try bench.connection("app")
        let key = try bench.key("app")
        let challenge = try bench.challenge("app")
        let frame = try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: challenge)))
        let before = try bench.snapshot()
        for cut in 1..<frame.count {
            let first = bench.raw(Array(frame[..<cut]), connection: connection)
            let second = bench.raw(Array(frame[cut...]), connection: connection)
            #expect(Bench.plainErrors(first) == [.badLength], "first part of a split at \(cut)")
            #expect(Bench.plainErrors(second) + Bench.encryptedErrors(second, key: key) == [.badLength], "second part of a split at \(cut)")
            #expect(!Bench.movedTheLock(first + second))
        }
        // Interleaved halves of two frames, and a never-completed half: still nothing.
        let half = frame.count / 2
        let interleaved = bench.raw(Array(frame[..<half]) + Array(frame[..<half]), connection: connection)
        // Same byte count as the frame when it is even: the envelope passes and the MAC fails (0x20).
        #expect(Bench.plainErrors(interleaved) == [frame.count == 2 * half ? .notAuthorized : .badLength])
        #expect(!Bench.movedTheLock(interleaved))
        #expect(try bench.snapshot() == before)
        try Self.expectOversizedRefusal(&bench)
        // The whole frame still carries the unused challenge: it runs once, its duplicate does not.
        let whole = bench.raw(frame, connection: connection)
        #expect(Bench.movedTheLock(whole))
        #expect(bench.machine.lockState == .unlocked)
        let duplicate = bench.raw(frame, connection: connection)
        #expect(Bench.encryptedErrors(duplicate, key: key) == [.badNonce])
        bench.expectUsable("app")
    }

    /// The reassembly that reads a lock's indications on the client side (the audit's probe of
    /// another lock, `latchkey capture`) never buffers more than ``LockWire/WireLimits/maxReassembledBytes``
    /// (the SweynTooth Invalid L2CAP Fragment class, CVE-2019-19195): more bytes at once than that,
    /// even as whole frames, are refused with reassemblyLimit (0xFE) and the buffer is emptied; the
    /// next frame reassembles alone. Plain and encrypted framing.
    @Test func test_P07_reassemblyNeverBuffersPastItsByteCap() throws {
        let key = try SharedKey(rawBytes: [UInt8](repeating: 7, count: 32))
        let frames: [(FragmentReassembler.Framing, [UInt8])] = [
            (.plain, PlainFrame(RequestData(requestedCommand: .keyturnerStates)).encoded()),
            (.encrypted, try Bench.seal(.requestData(RequestData(requestedCommand: .keyturnerStates)), authID: 1, key: key)),
        ]
        for (framing, frame) in frames {
            var reassembler = FragmentReassembler(framing: framing)
            let flood = [[UInt8]](repeating: frame, count: WireLimits.maxReassembledBytes / frame.count + 1).flatMap { $0 }
            #expect(flood.count > WireLimits.maxReassembledBytes)
            var refusal: WireError?
            do { _ = try reassembler.append(flood) } catch { refusal = error }
            #expect(refusal?.code == .reassemblyLimit, "\(framing)")
            #expect(refusal?.code.nukiErrorCode.rawValue == 0xFE)
            #expect(reassembler.isIdle)
            #expect(try reassembler.append(frame) == [frame])
        }
    }

    @Test(arguments: Transport.allCases)
    func test_P08_malformedNamesAreRefusedWithoutTrap(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let notUTF8 = FixedName(rawBytes: [0xFF, 0xFE, 0xC3, 0x28] + [UInt8](repeating: 0, count: 28))
        let notUTF8Short = FixedName(rawBytes: [0xC0, 0x80] + [UInt8](repeating: 0, count: 18))
        let before = try bench.snapshot()
        let config = bench.request("app", .setConfig(name: notUTF8))
        #expect(config.errorCode == .badParameter)
        let code = bench.request("app", .with(.addKeypadCode) {
            .addKeypadCode(AddKeypadCode(code: 456_789, name: notUTF8Short, restriction: .unrestricted, challenge: $0, securityPIN: Bench.pin))
        })
        #expect(code.errorCode == .badParameter)
        let update = bench.request("app", .with(.updateAuthorizationEntry) {
            .updateAuthorizationEntry(UpdateAuthorizationEntry(
                authID: 2, name: notUTF8, enabled: true, remoteAllowed: false, restriction: .unrestricted, challenge: $0, securityPIN: Bench.pin))
        })
        #expect(update.errorCode == .badParameter)
        // Over-long: a Set Config payload one byte longer than its fixed layout.
        let challenge = try bench.challenge("app")
        let long = Samples.setConfig(name: FixedName("x", width: 32), pairingEnabled: true, challenge: challenge, pin: Bench.pin).encodedPayload() + [0x41]
        let replies = bench.raw(try bench.sealedRaw("app", command: .setConfig, payload: long), connection: try bench.connection("app"))
        #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.badLength])
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
        // Pairing with a name that is not UTF-8: P_ERROR_BAD_PARAMETER, no user.
        let random = SeededRandomSource(seed: 8)
        bench.clients["bad"] = BenchClient(
            engine: ClientSessionEngine(idType: .app, clientID: 9, name: notUTF8, keyPair: try KeyPair(using: random), random: random),
            connection: bench.newConnection())
        bench.press()
        let pairing = bench.pairing("bad")
        #expect(pairing.failure?.code == .refused(.pairingBadParameter))
        #expect(bench.machine.authorizations.count == 2)
    }

    @Test(arguments: Transport.allCases)
    func test_P09_outOfRangeEnumAndTimeFieldsAreBadParameter(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let before = try bench.snapshot()
        for action in [UInt8(0x00), 0x07, 0x10, 0x80, 0x84, 0xFF] {
            let outcome = bench.request("app", .lockAction(LockAction(rawValue: action), appID: 1))
            #expect(outcome.errorCode == .badParameter, "lock action 0x\(String(action, radix: 16))")
        }
        let badTimes = [
            DateTime(year: 2026, month: 13, day: 1, hour: 0, minute: 0, second: 0),
            DateTime(year: 2026, month: 1, day: 1, hour: 25, minute: 0, second: 0),
            DateTime(year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0),
            DateTime(year: 2026, month: 2, day: 30, hour: 0, minute: 0, second: 0),
            DateTime(year: 2026, month: 1, day: 1, hour: 0, minute: 60, second: 0),
        ]
        for time in badTimes {
            #expect(bench.request("app", .updateTime(time)).errorCode == .badParameter, "\(time)")
        }
        #expect(try bench.snapshot() == before)
        #expect(bench.machine.lockState == .locked)
        bench.expectUsable("app")
    }

    /// Flipping any single bit of a valid frame (nonce, auth id, length, MAC, ciphertext) gets it
    /// refused before any plaintext is parsed: exactly 0xFE for a bit of the length field, exactly
    /// 0x20 (MAC or unknown id) for every other bit, late MAC and ciphertext bytes included, in
    /// plaintext, never executed; the original frame still works afterwards.
    @Test(arguments: Transport.allCases)
    func test_P10_anyBitFlipIsRefusedUnparsed(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let connection = try bench.connection("app")
        let challenge = try bench.challenge("app")
        let frame = try bench.sealed("app", .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: challenge)))
        let before = try bench.snapshot()
        var codes: Set<UInt8> = []
        for bit in 0..<(frame.count * 8) {
            var flipped = frame
            flipped[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            let replies = bench.raw(flipped, connection: connection)
            let plain = Bench.plainErrors(replies)
            // Exact per field: the length field (offset 28, 29) no longer matches the bytes sent
            // (0xFE); anywhere else (nonce, auth id, every MAC byte up to the last, ciphertext) the
            // MAC fails or the id is unknown (0x20).
            let expected: NukiErrorCode = (28..<30).contains(bit / 8) ? .badLength : .notAuthorized
            #expect(plain == [expected], "bit \(bit): \(plain)")
            #expect(!Bench.movedTheLock(replies))
            codes.formUnion(plain.map(\.rawValue))
        }
        #expect(codes == [0x20, 0xFE])
        #expect(try bench.snapshot() == before)
        #expect(Bench.movedTheLock(bench.raw(frame, connection: connection)))
        bench.expectUsable("app")
    }
}
