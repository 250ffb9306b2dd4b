import LockCore
import LockCrypto
import LockSession
import LockWire
import NukiProfile
import Testing

/// A client engine and a lock engine paired end to end in memory.
@Suite struct EndToEndTests {
    static let start = LockInstant(secondsSince1970: 1_764_489_600)  // 2025-11-30T08:00:00Z

    static func newLock(seed: UInt64 = 100, motorStep: Int64 = 0) throws -> LockSessionEngine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = motorStep
        var machine = LockMachine(model: model, nukiID: 0x1122_3344, settings: LockSettings(name: FixedName("Front door", width: 32)), securityPIN: .u16(4321))
        try machine.setClock(to: start.utcDateTime, at: start)
        let random = SeededRandomSource(seed: seed)
        return LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: LockUUID(random.bytes(count: 16)) ?? LockUUID([UInt8](repeating: 1, count: 16))!,
            random: random)
    }

    static func newClient(_ idType: IDType, id: UInt32, seed: UInt64) throws -> ClientSessionEngine {
        let random = SeededRandomSource(seed: seed)
        return ClientSessionEngine(idType: idType, clientID: id, name: FixedName("\(idType)", width: 32), keyPair: try KeyPair(using: random), random: random)
    }

    /// Pairs a new client of `idType` on `connection` and returns the link.
    static func pair(_ lock: LockSessionEngine, _ idType: IDType, id: UInt32, connection: UInt64, at now: LockInstant) throws -> Link {
        var lock = lock
        _ = lock.pressButton(heldMilliseconds: 5_000, at: now)
        var link = Link(lock: lock, client: try newClient(idType, id: id, seed: connection + 1000), connection: ConnectionID(connection), now: now)
        let results = link.pump(link.client.startPairing())
        guard case .paired = results.first else {
            Issue.record("pairing \(idType) failed: \(results)")
            return link
        }
        return link
    }

    static func errorCode(_ actions: [ClientSessionEngine.Action]) -> NukiErrorCode? {
        for case .completed(_, let messages) in actions {
            if case .errorReport(let report) = messages.last { return report.errorCode }
        }
        return nil
    }

    @Test(arguments: [IDType.app, .bridge, .fob, .keypad])
    func everyIDTypePairsAndReadsTheState(idType: IDType) throws {
        var link = try Self.pair(try Self.newLock(), idType, id: 77, connection: 1, at: Self.start)
        #expect(link.client.credentials?.authID == 1)
        #expect(link.lock.machine.authorization(1)?.idType == idType)
        #expect(!link.lock.machine.isPairingMode(at: link.now), "one pairing ends pairing mode")
        let states = link.pump(link.client.send(.keyturnerStates))
        guard case .completed(_, let messages) = states.first, case .keyturnerStates(let s) = messages.last else {
            Issue.record("\(states)")
            return
        }
        #expect(s.nukiState == .doorMode)
        #expect(s.lockState == .locked)
        #expect(s.encoded().count == 21)
    }

    @Test func pairingOutsidePairingModeIsRefused() throws {
        var link = Link(lock: try Self.newLock(), client: try Self.newClient(.app, id: 1, seed: 5), connection: ConnectionID(1), now: Self.start)
        let results = link.pump(link.client.startPairing())
        guard case .failed(let error) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(error.code == .refused(.notPairing))
    }

    @Test func appUnlocksWithAcceptedStatesAndComplete() throws {
        var link = try Self.pair(try Self.newLock(motorStep: 500), .app, id: 1, connection: 1, at: Self.start)
        #expect(link.pump(link.client.send(.lockAction(.unlock, appID: 1))).isEmpty)
        _ = link.advance(by: 500)
        let done = link.advance(by: 500)
        guard case .completed(.lockAction, let messages) = done.first else {
            Issue.record("\(done)")
            return
        }
        #expect(messages.map(\.command) == [.status, .keyturnerStates, .keyturnerStates, .status])
        #expect(link.lock.machine.lockState == .unlocked)
        #expect(link.lock.machine.authorization(1)?.lockCount == 1)
    }

    @Test func busyWhileTheMotorMoves() throws {
        var link = try Self.pair(try Self.newLock(motorStep: 500), .app, id: 1, connection: 1, at: Self.start)
        _ = link.pump(link.client.send(.lockAction(.unlock, appID: 1)))
        _ = link.advance(by: 500)
        link.client.cancel()
        #expect(Self.errorCode(link.pump(link.client.send(.lockAction(.lock, appID: 1)))) == .busy)
    }

    @Test func fobActionsFollowTheConfiguredMapping() throws {
        var link = try Self.pair(try Self.newLock(), .fob, id: 9, connection: 1, at: Self.start)
        _ = link.pump(link.client.send(.lockAction(.fobAction1, appID: 9)))  // fob action 1 = unlock
        #expect(link.lock.machine.lockState == .unlocked)
        _ = link.pump(link.client.send(.lockAction(.fobAction2, appID: 9)))  // fob action 2 = lock
        #expect(link.lock.machine.lockState == .locked)
        #expect(Self.errorCode(link.pump(link.client.send(.lockAction(.unlock, appID: 9)))) == .notAuthorized)
    }

    /// CVE-2022-32507 class: every admin-only command from a fob and a keypad is refused with 0x20,
    /// generated from the table so a new command cannot skip its row.
    @Test(arguments: [IDType.fob, .keypad])
    func adminCommandsAreRefusedToNonAdmins(idType: IDType) throws {
        var link = try Self.pair(try Self.newLock(), idType, id: 3, connection: 1, at: Self.start)
        let adminOnly = CommandAccess.rows.filter { $0.value == .adminOnly }.map(\.key)
        #expect(adminOnly.count == 24)
        for command in adminOnly {
            let request = ClientRequest(command: command, needsChallenge: true) { nonce in
                AdminSamples.message(command, challenge: nonce)
            }
            let code = Self.errorCode(link.pump(link.client.send(request)))
            #expect(code == .notAuthorized, "\(command) from \(idType)")
        }
        #expect(link.lock.machine.authorizations.count == 1)
    }

    @Test func revokingAFobDropsItsLiveSession() throws {
        let lock = try Self.newLock()
        var app = try Self.pair(lock, .app, id: 1, connection: 1, at: Self.start)
        var fob = try Self.pair(app.lock, .fob, id: 2, connection: 2, at: Self.start)
        _ = fob.pump(fob.client.send(.keyturnerStates))
        app.lock = fob.lock
        #expect(app.lock.authID(of: ConnectionID(2)) == 2)
        var disconnected: [ConnectionID] = []
        var pending = app.client.send(ClientRequest(command: .removeAuthorizationEntry, needsChallenge: true) { nonce in
            .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: 2, challenge: nonce, securityPIN: .u16(4321)))
        })
        while let action = pending.first {
            pending.removeFirst()
            guard let (c, bytes) = action.written else { continue }
            for reply in app.lock.receive(bytes, on: c, from: app.connection, at: app.now) {
                switch reply {
                case .indicate(let id, let c, let b) where id == app.connection: pending += app.client.receive(b, on: c)
                case .disconnect(let id, _): disconnected.append(id)
                default: break
                }
            }
        }
        #expect(disconnected == [ConnectionID(2)])
        #expect(app.lock.machine.authorization(2) == nil)
        #expect(!app.lock.hasKey(for: 2))
        // The fob's next frame is refused in plaintext: its auth id is unknown now.
        fob.lock = app.lock
        let after = fob.lock.receive(fob.client.send(.keyturnerStates).compactMap(\.written).first?.1 ?? [], on: .keyturnerUSDIO, from: ConnectionID(3), at: app.now)
        let report = try plainFrames(after, on: .keyturnerGDIO)
        #expect(report.map { Hex.encode($0.encoded()) } == [Hex.encode(PlainFrame(ErrorReport(errorCode: .notAuthorized, commandID: Command(rawValue: 0))).encoded())])
    }

    @Test func outOfOrderPairingMessageResetsPairing() throws {
        var lock = try Self.newLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        let connection = ConnectionID(1)
        let confirmation = PlainFrame(AuthorizationIDConfirmation(authenticator: .zero, authID: 1)).encoded()
        let replies = try plainFrames(lock.receive(confirmation, on: .pairingGDIO, from: connection, at: Self.start), on: .pairingGDIO)
        #expect(replies.map(\.command) == [.errorReport])
        #expect(try ErrorReport(payload: replies.first?.payload ?? []).errorCode == .unknown)
        #expect(lock.machine.authorizations.isEmpty)
    }

    @Test func wrongAuthenticatorIsBadAuthenticatorAndGrantsNothing() throws {
        var lock = try Self.newLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        let client = try KeyPair(using: SeededRandomSource(seed: 3))
        let connection = ConnectionID(1)
        _ = lock.receive(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, from: connection, at: Self.start)
        _ = lock.receive(PlainFrame(PublicKey(key: client.publicKey)).encoded(), on: .pairingGDIO, from: connection, at: Self.start)
        let replies = try plainFrames(lock.receive(PlainFrame(AuthorizationAuthenticator(authenticator: .zero)).encoded(), on: .pairingGDIO, from: connection, at: Self.start), on: .pairingGDIO)
        #expect(try ErrorReport(payload: replies.first?.payload ?? []).errorCode == .badAuthenticator)
        #expect(lock.machine.authorizations.isEmpty)
    }

    @Test(arguments: [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)])
    func lowOrderClientKeyAbortsPairing(key: [UInt8]) throws {
        var lock = try Self.newLock()
        _ = lock.pressButton(heldMilliseconds: 5_000, at: Self.start)
        let connection = ConnectionID(1)
        _ = lock.receive(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, from: connection, at: Self.start)
        let replies = try plainFrames(lock.receive(PlainFrame(PublicKey(key: try #require(Bytes32(key)))).encoded(), on: .pairingGDIO, from: connection, at: Self.start), on: .pairingGDIO)
        #expect(try ErrorReport(payload: replies.first?.payload ?? []).errorCode == .pairingBadParameter)
    }

    @Test func securityPINLocksOutAfterThreeWrongAttemptsAndTheLockoutHolds() throws {
        var link = try Self.pair(try Self.newLock(), .app, id: 1, connection: 1, at: Self.start)
        for _ in 0..<3 {
            #expect(Self.errorCode(link.pump(link.client.send(.verifySecurityPIN(.u16(1111))))) == .badPIN)
        }
        #expect(Self.errorCode(link.pump(link.client.send(.verifySecurityPIN(.u16(4321))))) == .tooManyPINAttempts)
        link.now = link.now.adding(milliseconds: 29_999)
        #expect(Self.errorCode(link.pump(link.client.send(.verifySecurityPIN(.u16(4321))))) == .tooManyPINAttempts)
        link.now = link.now.adding(milliseconds: 1)
        let ok = link.pump(link.client.send(.verifySecurityPIN(.u16(4321))))
        guard case .completed(_, let messages) = ok.first else {
            Issue.record("\(ok)")
            return
        }
        #expect(messages == [.status(Status(.complete))])
    }

    @Test func challengeIsBoundToItsConnection() throws {
        var link = try Self.pair(try Self.newLock(), .app, id: 1, connection: 1, at: Self.start)
        // Fetch a challenge on connection 1 and send the command on connection 2: bad nonce.
        let ask = link.client.send(.verifySecurityPIN(.u16(4321)))
        var challengeReply: [ClientSessionEngine.Action] = []
        for reply in link.lock.receive(ask.compactMap(\.written).first?.1 ?? [], on: .keyturnerUSDIO, from: link.connection, at: link.now) {
            if case .indicate(_, let c, let b) = reply { challengeReply += link.client.receive(b, on: c) }
        }
        let command = challengeReply.compactMap(\.written).first?.1 ?? []
        let other = try decrypt(link.lock.receive(command, on: .keyturnerUSDIO, from: ConnectionID(2), at: link.now), key: try #require(link.client.credentials?.sharedKey))
        #expect(other.map { Hex.encode($0.payload) } == ["22" + "2000"])
    }

    /// Invite (0x000B): the invitee talks with the inviter's key at once, and the key never reaches
    /// the event stream.
    @Test func invitedUserTalksWithItsKeyAndTheKeyStaysOutOfEvents() throws {
        var link = try Self.pair(try Self.newLock(), .app, id: 1, connection: 1, at: Self.start)
        let inviteKey = try #require(Bytes32((0..<32).map { UInt8($0 + 100) }))
        var actions: [LockSessionEngine.Action] = []
        var pending = link.client.send(ClientRequest(command: .authorizationDataInvite, needsChallenge: true, finalCommands: [.authorizationIDInvite]) { nonce in
            .authorizationDataInvite(AuthorizationDataInvite(
                name: FixedName("Guest", width: 32), idType: .app, sharedKey: inviteKey, remoteAllowed: false,
                restriction: .unrestricted, challenge: nonce, securityPIN: .u16(4321)))
        })
        var invitedID: UInt32?
        while let action = pending.first {
            pending.removeFirst()
            switch action {
            case .write(let c, let bytes):
                let replies = link.lock.receive(bytes, on: c, from: link.connection, at: link.now)
                actions += replies
                for case .indicate(_, let c, let b) in replies { pending += link.client.receive(b, on: c) }
            case .completed(_, let messages):
                if case .authorizationIDInvite(let reply) = messages.last { invitedID = reply.authID }
            default: break
            }
        }
        let authID = try #require(invitedID)
        #expect(link.lock.hasKey(for: authID))
        for case .event(let event) in actions {
            if case .invitedAuthorizationKey = event { Issue.record("the invite key reached the event stream") }
        }
        let guestKey = try SharedKey(rawBytes: inviteKey.bytes)
        var guest = Link(
            lock: link.lock,
            client: ClientSessionEngine(
                idType: .app, clientID: authID, name: FixedName("Guest", width: 32), keyPair: try KeyPair(using: SeededRandomSource(seed: 9)),
                random: SeededRandomSource(seed: 10),
                credentials: ClientCredentials(authID: authID, sharedKey: guestKey, lockPublicKey: link.lock.publicKey, lockUUID: link.lock.lockUUID)),
            connection: ConnectionID(5), now: link.now)
        let states = guest.pump(guest.client.send(.keyturnerStates))
        guard case .completed(_, let messages) = states.first, case .keyturnerStates = messages.last else {
            Issue.record("invitee could not read the state: \(states)")
            return
        }
    }
}
