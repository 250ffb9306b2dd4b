import LockCore
import LockCrypto
import LockSession
import LockWire
import Testing

/// A pairing message split over two plain writes at ATT_MTU 23 instead of one long write
/// (docs/wire.md §13, issue 18): a real lock answered `12 00 FF 00 00` + CRC and dropped the link.
@Suite struct SplitPlainWriteTests {
    static let start = EndToEndTests.start
    /// The client's Public Key message (0x0003): 2 + 32 + 2 = 36 bytes, more than ATT_MTU 23 − 3.
    static let publicKeyFrame = PlainFrame(command: .publicKey, payload: [UInt8](repeating: 0x5A, count: 32)).encoded()

    static func lockInPairingMode() throws -> LockSessionEngine {
        var lock = try EndToEndTests.newLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: start)
        return lock
    }

    static func indications(_ actions: [LockSessionEngine.Action]) -> [String] {
        actions.compactMap { if case .indicate(_, let c, let bytes) = $0 { return "\(c) \(Hex.encode(bytes))" } else { return nil } }
    }

    static func disconnects(_ actions: [LockSessionEngine.Action]) -> [ConnectionID] {
        actions.compactMap { if case .disconnect(let id, _) = $0 { return id } else { return nil } }
    }

    @Test func theFirstHalfAtMTU23GetsErrorUnknownForCommandZeroAndADisconnect() throws {
        var lock = try Self.lockInPairingMode()
        let connection = ConnectionID(1)
        lock.connect(connection)
        let first = lock.receive(Array(Self.publicKeyFrame.prefix(20)), on: .pairingGDIO, from: connection, at: Self.start)
        // 12 00 | FF (ERROR_UNKNOWN) | 00 00 (command 0x0000) | CRC-CCITT 0x9EB6 LE.
        #expect(Self.indications(first) == ["pairingGDIO 1200FF0000B69E"])
        #expect(Self.disconnects(first) == [connection])
        // The Error Report goes out before the disconnect.
        let order = first.compactMap { action -> String? in
            switch action {
            case .indicate: return "indicate"
            case .disconnect: return "disconnect"
            default: return nil
            }
        }
        #expect(order == ["indicate", "disconnect"])
        if case .refused(_, let code, let command, _)? = first.first {
            #expect(code == .unknown && command == Command(rawValue: 0))
        } else {
            Issue.record("expected the refusal first, got \(first)")
        }
    }

    @Test func theSameTwentyBytesAfterExchangeMTUAreABadCRCAndTheLinkStays() throws {
        var lock = try Self.lockInPairingMode()
        let connection = ConnectionID(1)
        lock.connect(connection)
        lock.setATTMTU(247, for: connection)
        let first = lock.receive(Array(Self.publicKeyFrame.prefix(20)), on: .pairingGDIO, from: connection, at: Self.start)
        // Not a full ATT_MTU − 3 write: a frame failing its CRC, ERROR_BAD_CRC for 0x0000 (0xF0D6 LE).
        #expect(Self.indications(first) == ["pairingGDIO 1200FD0000D6F0"])
        #expect(Self.disconnects(first).isEmpty)
        // The whole message in one (long) write is taken: the lock's challenge comes back.
        _ = lock.receive([0x01, 0x00, 0x03, 0x00, 0x27, 0xA7], on: .pairingGDIO, from: connection, at: Self.start)
        let whole = lock.receive(Self.publicKeyFrame, on: .pairingGDIO, from: connection, at: Self.start)
        #expect(Self.indications(whole).count == 1)
        #expect(try plainFrames(whole, on: .pairingGDIO).first?.command == .challenge)
    }

    @Test func shorterUndecodableWritesAtMTU23KeepTheirErrorsAndTheLink() throws {
        var lock = try Self.lockInPairingMode()
        let connection = ConnectionID(1)
        lock.connect(connection)
        // 19 bytes: not a full write, so not a split: BAD_CRC, no disconnect.
        let short = lock.receive(Array(Self.publicKeyFrame.prefix(19)), on: .pairingGDIO, from: connection, at: Self.start)
        #expect(Self.indications(short) == ["pairingGDIO 1200FD0000D6F0"])
        #expect(Self.disconnects(short).isEmpty)
        // A whole 20-byte frame whose CRC holds is a message, not a split (BAD_LENGTH for Public Key).
        let twenty = PlainFrame(command: .publicKey, payload: [UInt8](repeating: 1, count: 16)).encoded()
        #expect(twenty.count == 20)
        let whole = lock.receive(twenty, on: .pairingGDIO, from: connection, at: Self.start)
        #expect(try plainFrames(whole, on: .pairingGDIO).map(\.command) == [.errorReport])
        #expect(Self.disconnects(whole).isEmpty)
    }

    @Test func aSplitAuthenticatorMidPairingEndsThatPairingAndTheLink() throws {
        var lock = try Self.lockInPairingMode()
        let connection = ConnectionID(1)
        var client = try EndToEndTests.newClient(.app, id: 7, seed: 9)
        // Request Data(Public Key) fits one write; the client's Public Key (36 bytes) comes split.
        var replies: [LockSessionEngine.Action] = []
        for case .write(let c, let bytes) in client.startPairing() { replies += lock.receive(bytes, on: c, from: connection, at: Self.start) }
        var next: [UInt8] = []
        for case .indicate(_, let c, let bytes) in replies {
            for case .write(_, let out) in client.receive(bytes, on: c) { next = out }
        }
        #expect(next.count == 36)
        let first = lock.receive(Array(next.prefix(20)), on: .pairingGDIO, from: connection, at: Self.start)
        #expect(Self.indications(first) == ["pairingGDIO 1200FF0000B69E"])
        #expect(Self.disconnects(first) == [connection])
        #expect(lock.machine.authorizations.isEmpty)
    }
}
