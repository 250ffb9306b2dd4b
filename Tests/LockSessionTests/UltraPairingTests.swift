import LockCore
import LockCrypto
import LockSession
import LockWire
import Testing

/// Smart Lock Ultra / Go 5.x pairing (docs/wire.md §3.4, issue 18) on both ends, and the pairing
/// channel's edges (full table, app id 0, undecodable writes), pinned to exact bytes.
///
/// Reference vectors marked "pyNukiBT" were produced with pyNukiBT 0.0.20's own Ultra codec
/// (`NukiUltraConst.NukiMessage.build`, what `pair()` seals with `SecretBox.encrypt`) under Set A's
/// shared key s, nonce 00 01 … 17, app id 0x1A7C4E11, name "Marc (Test)", PIN 123456.
@Suite struct UltraPairingTests {
    static let start = EndToEndTests.start
    static let pin: UInt32 = 123_456

    /// pyNukiBT: the plaintext of its encrypted Authorization Data. Its auth id is the literal bytes
    /// `7F FF FF FF` (u32 LE 0xFFFFFF7F), clear and inside: not `FF FF FF 7F`.
    static let pyAuthorizationDataPlaintext =
        "7FFFFFFF0600114E7C1A4D6172632028546573742900000000000000000000000000000000000000000040E20100CA3A"
    /// pyNukiBT: the whole encrypted Authorization Data it writes to the pairing GDIO (94 bytes).
    static let pyAuthorizationDataMessage =
        "000102030405060708090A0B0C0D0E0F10111213141516177FFFFFFF400084CAA1E6E1A28609569E62F11DC5FE2DAEEFDF488929C78B082584CAFBE525194680F29948705A567A0E5C31B43F7E6E7754BD76DFB1B742B0573420697D5B8B"
    /// pyNukiBT: the Authorization-ID plaintext its `NukiMessage.parse` reads (auth id 34808 and the
    /// UUID of the [S23] Ultra example, docs/wire.md §3.4), as the lock answers under `7F FF FF FF`.
    static let pyAuthorizationIDPlaintext = "7FFFFFFF0700F88700008127D49A5F985C4483884720B30614533634"
    static let exampleUUID = "8127D49A5F985C4483884720B3061453"

    static func newUltraLock(seed: UInt64 = 100, pin: UInt32 = pin, uuid: LockUUID? = nil) throws -> LockSessionEngine {
        var model = LockModel.ultra
        model.motorStepMilliseconds = 0
        var machine = LockMachine(model: model, nukiID: 0x1122_3344, settings: LockSettings(name: FixedName("Front door", width: 32)), securityPIN: .u32(pin))
        try machine.setClock(to: start.utcDateTime, at: start)
        let random = SeededRandomSource(seed: seed)
        let keyPair = try KeyPair(using: random)
        let generated = try #require(LockUUID(random.bytes(count: 16)))
        let lockUUID = uuid ?? generated
        return LockSessionEngine(machine: machine, lockKeyPair: keyPair, lockUUID: lockUUID, random: random)
    }

    static func newUltraClient(_ idType: IDType = .app, id: UInt32 = 0x1A7C_4E11, seed: UInt64 = 7) throws -> ClientSessionEngine {
        let random = SeededRandomSource(seed: seed)
        return ClientSessionEngine(
            idType: idType, clientID: id, name: FixedName("Marc (Test)", width: 32), keyPair: try KeyPair(using: random), random: random, context: .ultra)
    }

    /// An Ultra lock in pairing mode that has taken a client's (seed 3) public key and right
    /// Authorization Authenticator on connection 1: it now waits for the encrypted Authorization Data.
    static func authenticatedUltraPairing() throws -> (LockSessionEngine, SharedKey, ConnectionID) {
        var lock = try newUltraLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: start)
        let client = try KeyPair(using: SeededRandomSource(seed: 3))
        let c = ConnectionID(1)
        _ = lock.receive(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, from: c, at: start)
        let challenge = try plainFrames(lock.receive(PlainFrame(PublicKey(key: client.publicKey)).encoded(), on: .pairingGDIO, from: c, at: start), on: .pairingGDIO)
        let first = try #require(challenge.first)
        let nonce = try #require(Bytes32(first.payload))
        let s = try SharedKey(ownKeyPair: client, peerPublicKey: lock.publicKey)
        _ = lock.receive(PlainFrame(AuthorizationAuthenticator(authenticator: PairingAuthenticator.authorizationAuthenticator(
            key: s, clientPublicKey: client.publicKey, lockPublicKey: lock.publicKey, challenge: nonce))).encoded(), on: .pairingGDIO, from: c, at: start)
        return (lock, s, c)
    }

    /// Every plain or encrypted frame the lock indicated on the pairing GDIO, joined.
    static func pairingBytes(_ actions: [LockSessionEngine.Action]) -> [UInt8] {
        var out: [UInt8] = []
        for case .indicate(_, .pairingGDIO, let bytes) in actions { out += bytes }
        return out
    }

    static func hex(_ text: String) throws -> [UInt8] { try #require(Hex.decode(text)) }

    // MARK: Initiator, wire-exact against pyNukiBT

    @Test func clientSendsTheUltraFlowAsPyNukiBTDoes() throws {
        let setA = try SetA.load()
        let random = ScriptedRandomSource([Array(0..<24)])
        var client = ClientSessionEngine(
            idType: .app, clientID: 0x1A7C_4E11, name: FixedName("Marc (Test)", width: 32),
            keyPair: try KeyPair(secretKeyBytes: try setA.bytes("client_secret_key")), random: random, context: .ultra)
        let start = client.startPairing(securityPIN: Self.pin)
        #expect(start.compactMap(\.written).map { Hex.encode($0.1) } == ["0100030027A7"])
        let key = client.receive(try setA.bytes("lock_public_key_message"), on: .pairingGDIO)
        #expect(key.compactMap(\.written).map { Hex.encode($0.1) } == [Hex.encode(try setA.bytes("client_public_key_message"))])
        let authenticator = client.receive(try setA.bytes("challenge_1_message"), on: .pairingGDIO)
        #expect(authenticator.compactMap(\.written).map { Hex.encode($0.1) } == [Hex.encode(try setA.bytes("authorization_authenticator_message"))])
        // Authorization Info "PIN set": 4C 00 01 71 B4.
        let data = client.receive(try Self.hex("4C000171B4"), on: .pairingGDIO)
        let written = data.compactMap(\.written)
        #expect(written.map(\.0) == [.pairingGDIO])
        #expect(written.map { Hex.encode($0.1) } == [Self.pyAuthorizationDataMessage])
        #expect(random.remaining == 0)
    }

    @Test func authorizationDataPayloadIsPyNukiBTsPlaintext() throws {
        #expect(ClientSessionEngine.ultraPairingAuthID == 0xFFFF_FF7F)
        let data = UltraAuthorizationData(appID: 0x1A7C_4E11, name: FixedName("Marc (Test)", width: 32), securityPIN: Self.pin)
        let plaintext = EncryptedPlaintext(authID: ClientSessionEngine.ultraPairingAuthID, command: .authorizationData, payload: data.encoded())
        #expect(Hex.encode(plaintext.encoded()) == Self.pyAuthorizationDataPlaintext)
        // The [S23] example's payload decodes to auth id 34808 and its UUID (docs/wire.md §3.4).
        let id = try UltraAuthorizationID(payload: try Self.hex("F8870000" + Self.exampleUUID), context: .ultra)
        #expect(id.authID == 34808)
        #expect(Hex.encode(id.lockUUID.bytes) == Self.exampleUUID)
    }

    // MARK: Responder

    @Test func lockAnswersPyNukiBTsMessagesWireExact() throws {
        // A lock whose next auth id is 34808 and whose UUID is the [S23] example's.
        let exampleUUID = try #require(LockUUID(try Self.hex(Self.exampleUUID)))
        var lock = try Self.newUltraLock(uuid: exampleUUID)
        var machine = lock.machine
        machine.restoreAuthorization(Authorization(
            authID: 34807, idType: .app, clientID: 5, name: FixedName("earlier", width: 32), remoteAllowed: false, dateCreated: .unset))
        lock = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: SeededRandomSource(seed: 100)), lockUUID: lock.lockUUID, random: SeededRandomSource(seed: 101))
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        let client = try KeyPair(using: SeededRandomSource(seed: 3))
        let c = ConnectionID(1)
        #expect(Hex.encode(Self.pairingBytes(lock.receive(try Self.hex("0100030027A7"), on: .pairingGDIO, from: c, at: Self.start)))
            == Hex.encode(PlainFrame(PublicKey(key: lock.publicKey)).encoded()))
        let challenge = try plainFrames(lock.receive(PlainFrame(PublicKey(key: client.publicKey)).encoded(), on: .pairingGDIO, from: c, at: Self.start), on: .pairingGDIO)
        let first = try #require(challenge.first)
        let nonce = try #require(Bytes32(first.payload))
        let s = try SharedKey(ownKeyPair: client, peerPublicKey: lock.publicKey)
        let authenticator = PairingAuthenticator.authorizationAuthenticator(key: s, clientPublicKey: client.publicKey, lockPublicKey: lock.publicKey, challenge: nonce)
        let info = lock.receive(PlainFrame(AuthorizationAuthenticator(authenticator: authenticator)).encoded(), on: .pairingGDIO, from: c, at: Self.start)
        #expect(Hex.encode(Self.pairingBytes(info)) == "4C000171B4")
        // pyNukiBT's Authorization Data, sealed the way it seals it (clear and inner 7F FF FF FF).
        let plaintext = try Self.hex(Self.pyAuthorizationDataPlaintext)
        let frame = try EncryptedMessageCodec.seal(
            authID: 0xFFFF_FF7F, command: .authorizationData, payload: Array(plaintext[6..<(plaintext.count - 2)]), nonce: Array(0..<24), key: s)
        let reply = Self.pairingBytes(lock.receive(frame, on: .pairingGDIO, from: c, at: Self.start))
        #expect(Array(reply.prefix(30).suffix(6)) == [0x7F, 0xFF, 0xFF, 0xFF, 0x2C, 0x00], "clear auth id 7F FF FF FF, length 16 + 28")
        let opened = try EncryptedMessageCodec.open(reply) { _ in s }
        #expect(Hex.encode(opened.encoded()) == Self.pyAuthorizationIDPlaintext)
        let stored = try #require(lock.machine.authorization(34808))
        #expect(stored.idType == .app && stored.clientID == 0x1A7C_4E11 && stored.name == FixedName("Marc (Test)", width: 32))
        #expect(lock.hasKey(for: 34808))
        #expect(!lock.machine.isPairingMode(at: Self.start))
    }

    @Test func unsetPINIsAnnouncedAs4C000050A4() throws {
        var lock = try Self.newUltraLock(pin: 0)
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        var link = Link(lock: lock, client: try Self.newUltraClient(), connection: ConnectionID(1), now: Self.start)
        var seen: [String] = []
        // Walk the flow by hand to catch the Authorization Info indication.
        var pending = link.client.startPairing(securityPIN: 0)
        while let action = pending.first {
            pending.removeFirst()
            guard let (characteristic, bytes) = action.written else { continue }
            for case .indicate(_, let ch, let b) in link.lock.receive(bytes, on: characteristic, from: link.connection, at: link.now) {
                seen.append(Hex.encode(b))
                pending += link.client.receive(b, on: ch)
            }
        }
        #expect(seen.contains("4C000050A4"))
        #expect(link.client.credentials?.authID == 1)
    }

    // MARK: Our two ends

    @Test func ultraClientPairsWithUltraLockThenActsWithTheU32PIN() throws {
        var lock = try Self.newUltraLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        var link = Link(lock: lock, client: try Self.newUltraClient(), connection: ConnectionID(1), now: Self.start)
        let results = link.pump(link.client.startPairing(securityPIN: Self.pin))
        guard case .paired(let credentials) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(results.count == 1)
        #expect(credentials.authID == 1)
        #expect(credentials.lockUUID == link.lock.lockUUID)
        #expect(link.lock.machine.authorization(1)?.idType == .app)
        let verified = link.pump(link.client.send(.verifySecurityPIN(.u32(Self.pin))))
        guard case .completed(_, let messages) = verified.first else {
            Issue.record("\(verified)")
            return
        }
        #expect(messages == [.status(Status(.complete))])
        #expect(EndToEndTests.errorCode(link.pump(link.client.send(.verifySecurityPIN(.u32(Self.pin + 1))))) == .badPIN)
        let states = link.pump(link.client.send(.keyturnerStates))
        guard case .completed(_, let replies) = states.first, case .keyturnerStates(let s) = replies.last else {
            Issue.record("\(states)")
            return
        }
        #expect(s.encoded().count == 27)
    }

    @Test func wrongPINIsASealedBadPINAndStoresNothing() throws {
        var lock = try Self.newUltraLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        var link = Link(lock: lock, client: try Self.newUltraClient(), connection: ConnectionID(1), now: Self.start)
        let results = link.pump(link.client.startPairing(securityPIN: 654_321))
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(error.code == .refused(.badPIN))
        #expect(link.lock.machine.authorizations.isEmpty)
        #expect(link.lock.machine.nextAuthID == 1, "no authorization id handed out")
        #expect(link.lock.machine.isPairingMode(at: link.now))
    }

    @Test(arguments: [IDType.keypad, .fob])
    func keypadAndFobCannotPairTheUltraWay(idType: IDType) throws {
        var client = try Self.newUltraClient(idType)
        let results = client.startPairing(securityPIN: Self.pin)
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(results.count == 1)
        #expect(error.code == .unsupported)
        #expect(!client.isBusy)
    }

    @Test(arguments: [IDType.keypad, .app])
    func aStandardClientMeetingAnUltraLockFailsAsUnsupported(idType: IDType) throws {
        var lock = try Self.newUltraLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        var link = Link(lock: lock, client: try EndToEndTests.newClient(idType, id: 3, seed: 70), connection: ConnectionID(1), now: Self.start)
        let results = link.pump(link.client.startPairing())
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(results.count == 1)
        #expect(error.code == .unsupported)
        #expect(link.lock.machine.authorizations.isEmpty)
    }

    @Test func ultraPairingWithoutPINFailsAtOnce() throws {
        var client = try Self.newUltraClient()
        let results = client.startPairing()
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(error.code == .unsupported)
    }

    @Test func garbageInsteadOfTheEncryptedAuthorizationDataNamesCommandZero() throws {
        let (pairing, s, c) = try Self.authenticatedUltraPairing()
        var lock = pairing
        // 0x0D 0x00 first (a "Lock Action" id, were it read from the garbage), then a bad MAC.
        var garbage = [UInt8](repeating: 0x0D, count: 94)
        garbage[1] = 0x00
        garbage[28] = 64
        garbage[29] = 0
        let actions = lock.receive(garbage, on: .pairingGDIO, from: c, at: Self.start)
        let refused = actions.compactMap { action -> (NukiErrorCode, Command)? in
            if case .refused(_, let code, let command, _) = action { return (code, command) }
            return nil
        }
        #expect(refused.map(\.0) == [.notAuthorized] && refused.map(\.1) == [Command(rawValue: 0)])
        let report = try EncryptedMessageCodec.open(Self.pairingBytes(actions)) { _ in s }
        #expect(Hex.encode(report.encoded()) == Hex.encode(EncryptedPlaintext(
            authID: 0x0D0D_0D0D, command: .errorReport, payload: [0x20, 0x00, 0x00]).encoded()))
        #expect(lock.machine.authorizations.isEmpty)
    }

    @Test func anUnsavedUltraPairingIsRefusedSealedNamingAuthorizationData() throws {
        let (pairing, s, c) = try Self.authenticatedUltraPairing()
        var lock = pairing
        let data = UltraAuthorizationData(appID: 1, name: FixedName("x", width: 32), securityPIN: Self.pin)
        let frame = try EncryptedMessageCodec.seal(
            authID: ClientSessionEngine.ultraPairingAuthID, command: .authorizationData, payload: data.encoded(), nonce: Array(0..<24), key: s)
        // The runtime rolled the engine back after a failed save and refuses the write instead.
        let report = try EncryptedMessageCodec.open(Self.pairingBytes(lock.refuseUnpersisted(frame, on: .pairingGDIO, from: c))) { _ in s }
        #expect(Hex.encode(report.encoded()) == Hex.encode(EncryptedPlaintext(
            authID: ClientSessionEngine.ultraPairingAuthID, command: .errorReport, payload: [0xFF, 0x06, 0x00]).encoded()))
        #expect(lock.machine.authorizations.isEmpty)
    }

    // MARK: Edges of the standard pairing

    @Test func appID0NeverReplacesAnEarlierPairing() throws {
        var lock = try EndToEndTests.newLock()
        for round in 0..<2 {
            _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
            var link = Link(lock: lock, client: try EndToEndTests.newClient(.app, id: 0, seed: UInt64(round) + 50), connection: ConnectionID(UInt64(round) + 1), now: Self.start)
            let results = link.pump(link.client.startPairing())
            guard case .paired(let credentials) = results.first else {
                Issue.record("\(results)")
                return
            }
            #expect(credentials.authID == UInt32(round) + 1)
            lock = link.lock
        }
        #expect(lock.machine.authorizations.map(\.authID) == [1, 2], "the first app id 0 is still there")
        #expect(lock.hasKey(for: 1) && lock.hasKey(for: 2))
        // A non-zero id still replaces (docs/wire.md §13).
        var again = try EndToEndTests.pair(lock, .app, id: 9, connection: 3, at: Self.start)
        again = try EndToEndTests.pair(again.lock, .app, id: 9, connection: 4, at: Self.start)
        #expect(again.lock.machine.authorizations.map(\.authID) == [1, 2, 4])
    }

    @Test func fullTableIsRefusedAtAuthorizationDataBeforeAnIDIsHandedOut() throws {
        var lock = try EndToEndTests.newLock()
        var machine = lock.machine
        machine.maxAuthorizations = 1
        lock = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: SeededRandomSource(seed: 100)), lockUUID: lock.lockUUID, random: SeededRandomSource(seed: 9))
        let first = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: Self.start)
        lock = first.lock
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        // Walk the flow and record what the lock sends: its last message is the refusal of 0x0006.
        var link = Link(lock: lock, client: try EndToEndTests.newClient(.bridge, id: 2, seed: 60), connection: ConnectionID(2), now: Self.start)
        var sent: [String] = []
        var pending = link.client.startPairing()
        var results: [ClientSessionEngine.Action] = []
        while let action = pending.first {
            pending.removeFirst()
            guard let (characteristic, bytes) = action.written else {
                results.append(action)
                continue
            }
            sent.append(Hex.encode(Array(bytes.prefix(2))))
            for case .indicate(_, let ch, let b) in link.lock.receive(bytes, on: characteristic, from: link.connection, at: link.now) {
                pending += link.client.receive(b, on: ch)
                if b.first == 0x12 { sent.append(Hex.encode(b)) }
            }
        }
        // Request Data, Public Key, Authenticator, Authorization Data, then P_ERROR_MAX_USER naming 0x0006.
        #expect(sent == ["0100", "0300", "0500", "0600", Hex.encode(PlainFrame(ErrorReport(errorCode: .maxUser, commandID: .authorizationData)).encoded())])
        #expect(Hex.encode(PlainFrame(ErrorReport(errorCode: .maxUser, commandID: .authorizationData)).encoded()).hasPrefix("1200130600"))
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(error.code == .refused(.maxUser))
        #expect(link.lock.machine.nextAuthID == 2, "no authorization id was reserved")
        #expect(link.lock.machine.authorizations.map(\.authID) == [1])
    }

    @Test func fullTableRefusesTheUltraPairingAtAuthorizationData() throws {
        var lock = try Self.newUltraLock()
        var machine = lock.machine
        machine.maxAuthorizations = 1
        machine.restoreAuthorization(Authorization(
            authID: 1, idType: .app, clientID: 5, name: FixedName("earlier", width: 32), remoteAllowed: false, dateCreated: .unset))
        lock = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: SeededRandomSource(seed: 100)), lockUUID: lock.lockUUID, random: SeededRandomSource(seed: 9))
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        var link = Link(lock: lock, client: try Self.newUltraClient(), connection: ConnectionID(1), now: Self.start)
        let results = link.pump(link.client.startPairing(securityPIN: Self.pin))
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(error.code == .refused(.maxUser))
        #expect(link.lock.machine.nextAuthID == 2)
    }

    // MARK: Undecodable pairing writes (docs/wire.md §13)

    static func pairingReply(to bytes: [UInt8], ultra: Bool = false) throws -> String {
        var lock = ultra ? try newUltraLock() : try EndToEndTests.newLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: start)
        return Hex.encode(pairingBytes(lock.receive(bytes, on: .pairingGDIO, from: ConnectionID(1), at: start)))
    }

    static func report(_ code: NukiErrorCode, _ command: UInt16) -> String {
        Hex.encode(PlainFrame(ErrorReport(errorCode: code, commandID: Command(rawValue: command))).encoded())
    }

    @Test func undecodablePairingWritesNameCommandZero() throws {
        // Three bytes that start like Lock Action 0x000D: too short to be a frame.
        #expect(try Self.pairingReply(to: [0x0D, 0x00, 0x01]) == Self.report(.badLength, 0))
        #expect(try Self.pairingReply(to: [0x0D, 0x00, 0x01]) == "1200FE0000" + Hex.encode(Array(PlainFrame(ErrorReport(errorCode: .badLength, commandID: Command(rawValue: 0))).encoded().suffix(2))))
        // A whole Request Data whose CRC is wrong: its command id cannot be trusted.
        #expect(try Self.pairingReply(to: [0x0D, 0x00, 0x03, 0x00, 0x00, 0x00]) == Self.report(.badCRC, 0))
        // CRC holds but the command is undocumented.
        #expect(try Self.pairingReply(to: PlainFrame(command: Command(rawValue: 0xBEEF), payload: [1, 2]).encoded()) == Self.report(.unknown, 0))
        // CRC holds and the command is known: it is named.
        #expect(try Self.pairingReply(to: PlainFrame(command: .publicKey, payload: [1, 2]).encoded()) == Self.report(.badLength, 0x0003))
    }

    @Test func malformedAuthorizationDataGetsOneErrorWhateverItsIDTypeByte() throws {
        // 60 bytes with an invalid ID type (9) at offset 32: the length is refused, not the type.
        for idType: UInt8 in [0, 9] {
            var payload = [UInt8](repeating: 0x41, count: 60)
            payload[32] = idType
            #expect(try Self.pairingReply(to: PlainFrame(command: .authorizationData, payload: payload).encoded()) == Self.report(.badLength, 0x0006))
            payload += [UInt8](repeating: 0, count: 41)
            #expect(payload.count == 101)
            payload += [0]
            #expect(try Self.pairingReply(to: PlainFrame(command: .authorizationData, payload: payload).encoded()) == Self.report(.badLength, 0x0006))
        }
    }
}
