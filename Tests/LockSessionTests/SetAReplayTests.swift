import LockCore
import LockCrypto
import LockSession
import LockWire
import NukiProfile
import Testing

/// The Set A transcript of docs/wire.md §10.1 replayed through both engines with the spec's keys and
/// nonces: the client emits exactly the spec's client messages, the lock exactly its replies.
@Suite struct SetAReplayTests {
    @Test func clientSessionEmitsTheSpecClientMessages() throws {
        let v = try SetA.load()
        let random = ScriptedRandomSource([
            try v.bytes("authorization_data_client_nonce"),
            try v.bytes("read_lock_state_nonce"),
            try v.bytes("request_challenge_nonce"),
            try v.bytes("lock_action_nonce"),
        ])
        var client = ClientSessionEngine(
            idType: .app, clientID: 0, name: FixedName("Marc (Test)", width: 32),
            keyPair: try KeyPair(secretKeyBytes: try v.bytes("client_secret_key")), random: random)

        func step(_ actions: [ClientSessionEngine.Action], expect key: String, on characteristic: Characteristic) throws {
            let written = actions.compactMap(\.written)
            #expect(written.count == 1, "\(key)")
            #expect(written.first?.0 == characteristic, "\(key)")
            #expect(Hex.encode(written.first?.1 ?? []) == Hex.encode(try v.bytes(key)), "\(key)")
        }

        try step(client.startPairing(), expect: "request_public_key_message", on: .pairingGDIO)
        try step(client.receive(try v.bytes("lock_public_key_message"), on: .pairingGDIO), expect: "client_public_key_message", on: .pairingGDIO)
        try step(client.receive(try v.bytes("challenge_1_message"), on: .pairingGDIO), expect: "authorization_authenticator_message", on: .pairingGDIO)
        try step(client.receive(try v.bytes("challenge_2_message"), on: .pairingGDIO), expect: "authorization_data_message", on: .pairingGDIO)
        try step(client.receive(try v.bytes("authorization_id_message"), on: .pairingGDIO), expect: "authorization_id_confirmation_message", on: .pairingGDIO)
        let paired = client.receive(try v.bytes("status_complete_message"), on: .pairingGDIO)
        guard case .paired(let credentials) = paired.first else {
            Issue.record("not paired: \(paired)")
            return
        }
        #expect(credentials.authID == 2)
        #expect(credentials.lockUUID.bytes == (try v.bytes("authorization_id_uuid")))
        #expect(Hex.encode(credentials.sharedKey.withUnsafeBytes { Array($0) }) == v.hex["shared_key_s"])

        try step(client.send(.keyturnerStates), expect: "read_lock_state_message", on: .keyturnerUSDIO)
        let states = client.receive(try v.bytes("keyturner_states_reply_message"), on: .keyturnerUSDIO)
        guard case .completed(.requestData, let messages) = states.first, case .keyturnerStates(let reply) = messages.last else {
            Issue.record("no Keyturner States: \(states)")
            return
        }
        #expect(reply.lockState == .locked)

        try step(client.send(.lockAction(.unlock, appID: 0)), expect: "request_challenge_message", on: .keyturnerUSDIO)
        try step(client.receive(try v.bytes("challenge_reply_message"), on: .keyturnerUSDIO), expect: "lock_action_message", on: .keyturnerUSDIO)
        #expect(random.remaining == 0)
    }

    /// The lock of the example: auth id 2 with the spec's s, clock at 2016-03-07 08:15:30, the old
    /// 15-byte Keyturner States with the example's bytes 13–14.
    static func exampleLock(_ v: SetA, random: any RandomSource) throws -> (LockSessionEngine, LockInstant) {
        let model = LockModel(
            keyturnerStatesLength: 15, wireContext: .smartLock, firmwareVersion: FirmwareVersion(major: 1, minor: 0, patch: 0),
            hardwareRevision: HardwareRevision(major: 1, minor: 0), deviceType: nil, motorStepMilliseconds: 1000)
        var machine = LockMachine(
            model: model, nukiID: 0x2A37_599A, settings: LockSettings(name: FixedName("Nuki", width: 32), timezoneOffsetMinutes: 60),
            securityPIN: .u16(1234))
        machine.restoreAuthorization(Authorization(authID: 2, idType: .app, clientID: 0, name: FixedName("Marc (Test)", width: 32), dateCreated: .unset))
        machine.configUpdateCount = 0x20
        machine.lockNGoTimer = 0x0A
        let now = LockInstant(secondsSince1970: 1_700_000_000)
        try machine.setClock(to: DateTime(year: 2016, month: 3, day: 7, hour: 8, minute: 15, second: 30), at: now)
        let engine = LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: SeededRandomSource(seed: 1)),
            lockUUID: try #require(LockUUID(try v.bytes("authorization_id_uuid"))),
            keys: [2: try SharedKey(rawBytes: try v.bytes("shared_key_s"))], random: random)
        return (engine, now)
    }

    @Test func lockSessionEmitsTheSpecEncryptedReplies() throws {
        let v = try SetA.load()
        let random = ScriptedRandomSource([
            try v.bytes("keyturner_states_reply_message").prefix(24).map { $0 },
            try v.bytes("challenge_reply_nonce_nk"),
            try v.bytes("challenge_reply_message").prefix(24).map { $0 },
        ])
        var (lock, now) = try Self.exampleLock(v, random: random)
        let connection = ConnectionID(1)
        lock.connect(connection)
        let s = try SharedKey(rawBytes: try v.bytes("shared_key_s"))

        let states = lock.receive(try v.bytes("read_lock_state_message"), on: .keyturnerUSDIO, from: connection, at: now)
        #expect(states.count == 1)
        if case .indicate(connection, .keyturnerUSDIO, let bytes) = states.first {
            #expect(Hex.encode(bytes) == v.hex["keyturner_states_reply_message"])
        } else {
            Issue.record("no indication: \(states)")
        }

        let challenge = lock.receive(try v.bytes("request_challenge_message"), on: .keyturnerUSDIO, from: connection, at: now)
        if case .indicate(connection, .keyturnerUSDIO, let bytes) = challenge.first {
            #expect(Hex.encode(bytes) == v.hex["challenge_reply_message"])
        } else {
            Issue.record("no challenge: \(challenge)")
        }

        var replies = try decrypt(lock.receive(try v.bytes("lock_action_message"), on: .keyturnerUSDIO, from: connection, at: now), key: s)
        #expect(replies.map { Hex.encode($0.encoded()) } == [v.hex["status_accepted_plaintext"]])
        now = now.adding(milliseconds: 1000)
        replies = try decrypt(lock.advance(to: now), key: s)
        #expect(replies.count == 1)
        #expect(replies.first?.payload[1] == LockState.unlocking.rawValue)
        now = now.adding(milliseconds: 1000)
        replies = try decrypt(lock.advance(to: now), key: s)
        #expect(replies.count == 2)
        #expect(replies.first?.payload[1] == LockState.unlocked.rawValue)
        #expect(replies.last.map { Hex.encode($0.encoded()) } == v.hex["status_complete_plaintext"])
        #expect(lock.machine.lockState == .unlocked)

        // C-01: the captured Lock Action replayed gets K_ERROR_BAD_NONCE and moves nothing.
        let replay = try decrypt(lock.receive(try v.bytes("lock_action_message"), on: .keyturnerUSDIO, from: connection, at: now), key: s)
        #expect(replay.map { Hex.encode($0.payload) } == ["22" + "0D00"])
        #expect(lock.machine.lockState == .unlocked)
        #expect(!lock.machine.isBusy)
    }

    /// The session hands the whole 69-byte reply over as one action: GATT alone cuts it at
    /// ATT_MTU − 3 (20, 20, 20, 9 at MTU 23: `BLEGATTTests.GATTClientTests.setAExchange`).
    @Test func theReplyLeavesTheSessionWholeForGATTToCut() throws {
        let v = try SetA.load()
        let random = ScriptedRandomSource([try v.bytes("keyturner_states_reply_message").prefix(24).map { $0 }])
        let (example, now) = try Self.exampleLock(v, random: random)
        var lock = example
        let connection = ConnectionID(9)
        lock.connect(connection)
        let actions = lock.receive(try v.bytes("read_lock_state_message"), on: .keyturnerUSDIO, from: connection, at: now)
        let messages = actions.compactMap { action -> [UInt8]? in
            if case .indicate(_, _, let bytes) = action { return bytes }
            return nil
        }
        #expect(messages.map(\.count) == [69])
        #expect(Hex.encode(messages.flatMap { $0 }) == v.hex["keyturner_states_reply_message"])
    }
}
