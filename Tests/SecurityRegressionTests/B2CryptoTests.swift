import LockCore
import LockCrypto
import LockFuzzing
import LockPeripherals
import LockSession
import LockWire
import NukiProfile
import Testing

/// docs/attacks.md §B2: crypto, nonces and replay.
@Suite struct B2CryptoTests {
    static func bench(_ transport: Transport = .engine) throws -> Bench {
        var bench = try Bench(transport: transport)
        try bench.pair("app", .app)
        try bench.pair("fob", .fob)
        try bench.pair("keypad", .keypad)
        return bench
    }

    @Test(arguments: Transport.allCases)
    func test_C01_replayInSameSessionIsBadNonce(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let unlock = bench.request("app", .lockAction(.unlock, appID: 1))
        #expect(unlock.succeeded)
        #expect(bench.machine.lockState == .unlocked)
        let command = try #require(unlock.written.last?.1)
        let before = try bench.snapshot()
        let replies = bench.raw(HostileClient.replay(command), connection: try bench.connection("app"))
        #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.badNonce])
        #expect(!Bench.movedTheLock(replies))
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    @Test(arguments: Transport.allCases)
    func test_C02_replayAfterReconnectIsBadNonce(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let lock = bench.request("app", .lockAction(.unlock, appID: 1))
        #expect(lock.succeeded)
        bench.reconnect("app")
        let before = try bench.snapshot()
        // The whole captured exchange replayed on the new connection: the Request Data gets a new
        // challenge, the captured command still carries the old one.
        var replies: [LockSessionEngine.Action] = []
        for (c, bytes) in lock.written { replies += bench.raw(bytes, on: c, connection: try bench.connection("app")) }
        let messages = Bench.encrypted(replies, key: try bench.key("app"))
        #expect(messages.map(\.command) == [.challenge, .errorReport])
        #expect(Bench.encryptedErrors(replies, key: try bench.key("app")) == [.badNonce])
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    /// 10^5 challenges from a lock running on the production RNG (kernel CSPRNG through libsodium),
    /// fetched through the engine: all 32 bytes, no repeat. The injected test RNG does not cycle
    /// over the same number of draws either.
    @Test func test_C03_challengesAreUniqueAnd32Bytes() throws {
        var bench = try Bench(random: SystemRandomSource())
        try bench.pair("app", .app)
        var seen = Set<[UInt8]>()
        let draws = 100_000
        for _ in 0..<draws {
            let challenge = try bench.challenge("app")
            #expect(challenge.bytes.count == 32)
            seen.insert(challenge.bytes)
        }
        #expect(seen.count == draws)
        let seeded = SeededRandomSource(seed: 1)
        var seededSeen = Set<[UInt8]>()
        for _ in 0..<draws { seededSeen.insert(seeded.bytes(count: 32)) }
        #expect(seededSeen.count == draws)
    }

    /// The keypad's and the fob's client engines seal 10^5 messages each: every 24-byte nonce is new.
    @Test(arguments: [IDType.keypad, .fob])
    func test_C04_peripheralNoncesNeverRepeat(idType: IDType) throws {
        let bench = try Self.bench()
        var client = try #require(bench.clients[idType == .keypad ? "keypad" : "fob"]?.engine)
        var nonces = Set<[UInt8]>()
        let messages = 100_000
        for _ in 0..<messages {
            let writes = client.send(.keyturnerStates)
            client.cancel()
            guard case .write(.keyturnerUSDIO, let frame)? = writes.first, frame.count > 24 else {
                Issue.record("no frame: \(writes)")
                return
            }
            nonces.insert(Array(frame.prefix(24)))
        }
        #expect(nonces.count == messages)
    }

    @Test(arguments: Transport.allCases)
    func test_C05_swappedAuthIDIsRefusedWithoutKeySearch(transport: Transport) throws {
        var bench = try Self.bench(transport)
        let frame = try bench.sealed("app", .requestData(RequestData(requestedCommand: .keyturnerStates)))
        let before = try bench.snapshot()
        for other in [try bench.authID("fob"), try bench.authID("keypad"), 0, 0xFFFF_FFFF, 0x7777] {
            let replies = bench.raw(HostileClient.wrongAuthID(frame, authID: other), connection: try bench.connection("app"))
            #expect(Bench.plainErrors(replies) == [.notAuthorized], "auth id \(other)")
            #expect(Bench.encrypted(replies, key: try bench.key("app")).isEmpty, "answered under the app's key")
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }

    /// A keypad or fob holding only its own key seals, under its own clear auth id and a valid MAC
    /// and CRC, a plaintext whose inner auth id is the admin app's. The lock must refuse every such
    /// frame with exactly K_ERROR_NOT_AUTHORIZED (0x20) in plaintext, answer nothing encrypted under
    /// either key, and change nothing: no challenge is issued for the app, and even injected on the
    /// app's own connection with the app's outstanding challenge (the worst case), a Lock Action
    /// does not move the lock and an Add Keypad Code with the right security PIN adds nothing.
    /// (Issue 19: the earlier C-05 test only rewrote the clear id, so the MAC failed anyway.)
    @Test(arguments: [IDType.keypad, .fob])
    func test_C05_innerAuthIDOfTheAdminUnderAPeripheralsKeyIsRefused(idType: IDType) throws {
        var bench = try Self.bench()
        let name = idType == .keypad ? "keypad" : "fob"
        let own = try #require(bench.clients[name]?.engine.credentials)
        let admin = try bench.authID("app")
        let before = try bench.snapshot()
        func forged(_ message: NukiMessage) throws -> [UInt8] {
            try HostileClient.innerAuthID(message, innerAuthID: admin, credentials: own, random: SeededRandomSource(seed: 0xC05))
        }
        // The frame is what it claims: valid MAC and CRC under the peripheral's own key.
        let probe = try forged(.requestData(RequestData(requestedCommand: .challenge)))
        let careless = try EncryptedMessageCodec.open(probe, checks: [.crc]) { $0 == own.authID ? own.sharedKey : nil }
        #expect(careless.authID == admin && careless.command == .requestData)
        // On a connection of its own: a challenge for the app, and the app's states.
        for message in [NukiMessage.requestData(RequestData(requestedCommand: .challenge)), .requestData(RequestData(requestedCommand: .keyturnerStates))] {
            let replies = bench.raw(try forged(message), connection: bench.newConnection())
            #expect(Bench.plainErrors(replies) == [.notAuthorized], "\(message.command)")
            #expect(!replies.contains { if case .indicate(_, .keyturnerUSDIO, _) = $0 { return true } else { return false } }, "answered encrypted")
        }
        // Injected on the app's connection, with the app's outstanding challenge.
        let appConnection = try bench.connection("app")
        for message in [
            { (c: Bytes32) in NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: c)) },
            { (c: Bytes32) in NukiMessage.addKeypadCode(AddKeypadCode(code: 345_678, name: FixedName("x", width: FixedName.shortNameWidth), restriction: .unrestricted, challenge: c, securityPIN: Bench.pin)) },
        ] {
            let challenge = try bench.challenge("app")
            let replies = bench.raw(try forged(message(challenge)), connection: appConnection)
            #expect(Bench.plainErrors(replies) == [.notAuthorized])
            #expect(!Bench.movedTheLock(replies))
        }
        #expect(bench.machine.lockState == .locked)
        #expect(bench.machine.keypadCodes.codes.isEmpty)
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
        bench.expectUsable(name)
    }

    /// Low-order and all-zero X25519 keys (canonical and non-canonical encodings) abort pairing with
    /// P_ERROR_BAD_PARAMETER: no user, no auth id taken.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "E0EB7A7C3B41B8AE1656E3FAF19FC46ADA098DEB9C32B1FD866205165F49B800",
        "5F9C95BCA3508C24B1D0B1559C83EF5B04445CC4581C8E86D8224EDDD09F1157",
        "ECFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F",
        "EDFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F",
        "EEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F",
    ])
    func test_C06_lowOrderPublicKeyAbortsPairing(hex: String) throws {
        var bench = try Bench()
        let key = try #require(Hex.decode(hex).flatMap { Bytes32($0) })
        try Self.expectPairingAborted(&bench, clientKey: key)
    }

    @Test func test_C07_reflectedLockPublicKeyAbortsPairing() throws {
        var bench = try Bench()
        try Self.expectPairingAborted(&bench, clientKey: bench.engine.publicKey)
    }

    static func expectPairingAborted(_ bench: inout Bench, clientKey: Bytes32, sourceLocation: SourceLocation = #_sourceLocation) throws {
        bench.press()
        let connection = bench.newConnection()
        let before = try bench.snapshot()
        _ = bench.raw(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, connection: connection)
        let replies = bench.raw(PlainFrame(PublicKey(key: clientKey)).encoded(), on: .pairingGDIO, connection: connection)
        #expect(Bench.plainErrors(replies, on: .pairingGDIO) == [.pairingBadParameter], sourceLocation: sourceLocation)
        #expect(try bench.snapshot() == before, sourceLocation: sourceLocation)
        // The responder was reset: an Authorization Authenticator now is out of order.
        let next = bench.raw(PlainFrame(AuthorizationAuthenticator(authenticator: .zero)).encoded(), on: .pairingGDIO, connection: connection)
        #expect(Bench.plainErrors(next, on: .pairingGDIO) == [.unknown], sourceLocation: sourceLocation)
        #expect(bench.machine.authorizations.isEmpty, sourceLocation: sourceLocation)
        #expect(bench.machine.nextAuthID == 1, sourceLocation: sourceLocation)
    }

    /// C-08 (constant-time comparison) is the statistical test in TimingTests (LATCHKEY_TIMING=1).

    /// With a keypad's extracted key an attacker is that keypad and nothing more: no admin command,
    /// no frame accepted under another user's id, no other user's traffic readable.
    @Test func test_C09_extractedPeripheralKeyGivesOnlyThatDevice() throws {
        var bench = try Self.bench()
        let stolen = try bench.key("keypad")
        let before = try bench.snapshot()
        // As the keypad: admin commands are refused.
        for request in [ClientRequest.addKeypadCode(222_222), .requestLogEntries(), .removeAuthorization(1), .updateTime(Bench.start.utcDateTime)] {
            #expect(bench.request("keypad", request).errorCode == .notAuthorized, "\(request.command)")
        }
        // As the app, with the keypad's key: the MAC fails under the app's key.
        let forged = try Bench.seal(.requestData(RequestData(requestedCommand: .keyturnerStates)), authID: try bench.authID("app"), key: stolen)
        let attacker = bench.newConnection()
        #expect(Bench.plainErrors(bench.raw(forged, connection: attacker)) == [.notAuthorized])
        // The app's traffic does not open under the keypad's key.
        let appTraffic = bench.request("app", .keyturnerStates)
        #expect(appTraffic.succeeded)
        #expect(Bench.encrypted(appTraffic.actions, key: stolen).isEmpty)
        for (_, frame) in appTraffic.written {
            #expect(throws: WireError.self) { try EncryptedMessageCodec.open(frame) { _ in stolen } }
        }
        #expect(try bench.snapshot() == before)
    }

    /// No fuzz-only shortcut in a normal build: the fuzz fixture's planted bug exists only under the
    /// LATCHKEY_PLANTED_BUG compile flag, and unauthenticated plaintext on the USDIO is refused.
    @Test func test_C10_noUnauthenticatedShortcutInNormalBuild() throws {
        let fixture = try #require(SessionFixture.shared)
        #expect(fixture.plantedBug == nil)
        var bench = try Self.bench()
        let before = try bench.snapshot()
        let plain = [
            PlainFrame(command: .lockAction, payload: NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: .zero)).encodedPayload()).encoded(),
            EncryptedPlaintext(authID: try bench.authID("app"), command: .lockAction, payload: NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: .zero)).encodedPayload()).encoded(),
        ]
        for frame in plain {
            let replies = bench.raw(frame, connection: try bench.connection("app"))
            #expect(!Bench.plainErrors(replies).isEmpty)
            #expect(!Bench.movedTheLock(replies))
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
    }
}
