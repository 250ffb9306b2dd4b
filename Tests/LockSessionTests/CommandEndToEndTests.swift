import LockCore
import LockCrypto
import LockSession
import LockWire
import Testing

/// The commands added to the lock core, end to end through a client and a lock session in memory.
@Suite struct CommandEndToEndTests {
    static let pin = SecurityPIN.u16(4321)

    static func messages(_ actions: [ClientSessionEngine.Action]) -> [NukiMessage] {
        for case .completed(_, let messages) in actions { return messages }
        return []
    }

    static func request(_ command: Command, _ build: @escaping @Sendable (Bytes32) -> NukiMessage) -> ClientRequest {
        ClientRequest(command: command, needsChallenge: true, build: build)
    }

    @Test func setConfigCompletesAndBumpsTheUpdateCount() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let set = Self.request(.setConfig) { nonce in
            .setConfig(SetConfig(
                name: FixedName("Back door", width: 32), latitude: 0, longitude: 0, autoUnlatch: false, pairingEnabled: true,
                buttonEnabled: true, ledEnabled: true, ledBrightness: 2, timezoneOffsetMinutes: 0, dstMode: .european,
                fobAction1: .unlock, fobAction2: .lock, fobAction3: .none, singleLock: false, advertisingMode: .automatic,
                timezoneID: .none, challenge: nonce, securityPIN: Self.pin))
        }
        #expect(Self.messages(link.pump(link.client.send(set))) == [.status(Status(.complete))])
        guard case .keyturnerStates(let states) = Self.messages(link.pump(link.client.send(.keyturnerStates))).last else {
            Issue.record("no states")
            return
        }
        #expect(states.configUpdateCount == 1)
        guard case .config(let config) = Self.messages(link.pump(link.client.send(.config))).last else {
            Issue.record("no config")
            return
        }
        #expect(config.name == FixedName("Back door", width: 32) && config.ledBrightness == 2)
    }

    @Test func advancedConfigRoundTripAndBadParameter() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let read = ClientRequest(command: .requestAdvancedConfig, needsChallenge: true, finalCommands: [.advancedConfig]) { nonce in
            .requestAdvancedConfig(RequestAdvancedConfig(challenge: nonce))
        }
        #expect(Self.messages(link.pump(link.client.send(read))) == [.advancedConfig(link.lock.machine.advancedConfig())])
        var settings = LockMachine.defaultAdvancedSettings
        settings.lockNGoTimeout = 3
        let bad = settings
        #expect(EndToEndTests.errorCode(link.pump(link.client.send(Self.request(.setAdvancedConfig) { nonce in
            .setAdvancedConfig(SetAdvancedConfig(settings: bad, challenge: nonce, securityPIN: Self.pin))
        }))) == .badParameter)
        settings.lockNGoTimeout = 30
        let good = settings
        #expect(Self.messages(link.pump(link.client.send(Self.request(.setAdvancedConfig) { nonce in
            .setAdvancedConfig(SetAdvancedConfig(settings: good, challenge: nonce, securityPIN: Self.pin))
        }))) == [.status(Status(.complete))])
        #expect(link.lock.machine.advancedSettings.lockNGoTimeout == 30)
    }

    @Test func timeControlListThenFiringOnTheLockClock() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let schedule = TimeControlSchedule(weekdays: [], time: TimeOfDay(hour: 8, minute: 5), lockAction: .unlock)
        let add = ClientRequest(command: .addTimeControlEntry, needsChallenge: true, finalCommands: [.timeControlEntryID]) { nonce in
            .addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: nonce, securityPIN: Self.pin))
        }
        #expect(Self.messages(link.pump(link.client.send(add))) == [.timeControlEntryID(TimeControlEntryID(entryID: 1))])
        let list = Self.request(.requestTimeControlEntries) { nonce in
            .requestTimeControlEntries(RequestTimeControlEntries(challenge: nonce, securityPIN: Self.pin))
        }
        #expect(Self.messages(link.pump(link.client.send(list))) == [
            .timeControlEntryCount(TimeControlEntryCount(count: 1)), .timeControlEntry(TimeControlEntry(entryID: 1, enabled: true, schedule: schedule)),
            .status(Status(.complete)),
        ])
        _ = link.advance(by: 4 * 60_000 + 59_999)  // 08:04:59.999
        #expect(link.lock.machine.lockState == .locked)
        _ = link.advance(by: 1)
        #expect(link.lock.machine.lockState == .unlocked)
        #expect(link.lock.machine.lastLockActionTrigger == .automatic)
    }

    @Test func calibrationSendsAcceptedStatesAndComplete() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let messages = Self.messages(link.pump(link.client.send(Self.request(.requestCalibration) { nonce in
            .requestCalibration(RequestCalibration(challenge: nonce, securityPIN: Self.pin))
        })))
        #expect(messages.map(\.command) == [.status, .keyturnerStates, .keyturnerStates, .status])
        #expect(messages.compactMap { (m: NukiMessage) -> LockState? in if case .keyturnerStates(let s) = m { s.lockState } else { nil } } == [.calibration, .locked])
        #expect(messages.first == .status(Status(.accepted)) && messages.last == .status(Status(.complete)))
    }

    @Test func bridgeLosesRemoteAccessAndIsRefused() throws {
        let lock = try EndToEndTests.newLock()
        var app = try EndToEndTests.pair(lock, .app, id: 1, connection: 1, at: EndToEndTests.start)
        var bridge = try EndToEndTests.pair(app.lock, .bridge, id: 2, connection: 2, at: EndToEndTests.start)
        #expect(Self.messages(bridge.pump(bridge.client.send(.lockAction(.unlock, appID: 2)))).last == .status(Status(.complete)))
        app.lock = bridge.lock
        let revoke = Self.request(.updateAuthorizationEntry) { nonce in
            .updateAuthorizationEntry(UpdateAuthorizationEntry(
                authID: 2, name: FixedName("bridge", width: 32), enabled: true, remoteAllowed: false, restriction: .unrestricted,
                challenge: nonce, securityPIN: Self.pin))
        }
        #expect(Self.messages(app.pump(app.client.send(revoke))) == [.status(Status(.complete))])
        bridge.lock = app.lock
        #expect(EndToEndTests.errorCode(bridge.pump(bridge.client.send(.lockAction(.lock, appID: 2)))) == .remoteNotAllowed)
        #expect(bridge.lock.machine.lockState == .unlocked)
        // Reading the state still works.
        #expect(Self.messages(bridge.pump(bridge.client.send(.keyturnerStates))).last?.command == .keyturnerStates)
    }

    @Test func autoUnlockCoolDownEndToEnd() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        var settings = LockMachine.defaultAdvancedSettings
        settings.autoUnlockDisabled = false
        let enabled = settings
        #expect(Self.messages(link.pump(link.client.send(Self.request(.setAdvancedConfig) { nonce in
            .setAdvancedConfig(SetAdvancedConfig(settings: enabled, challenge: nonce, securityPIN: Self.pin))
        }))).last == .status(Status(.complete)))
        _ = link.pump(link.client.send(.lockAction(.lock, appID: 1)))
        _ = link.advance(by: 60_000)
        #expect(EndToEndTests.errorCode(link.pump(link.client.send(.lockAction(.unlock, appID: 1, flags: .autoUnlock)))) == .autoUnlockTooRecent)
        _ = link.advance(by: 240_000)
        #expect(Self.messages(link.pump(link.client.send(.lockAction(.unlock, appID: 1, flags: .autoUnlock)))).last == .status(Status(.complete)))
    }

    @Test func inviteAnswersAuthorizationIDInvite() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let key = Bytes32([UInt8](repeating: 7, count: 32)) ?? .zero
        let invite = ClientRequest(command: .authorizationDataInvite, needsChallenge: true, finalCommands: [.authorizationIDInvite]) { nonce in
            .authorizationDataInvite(AuthorizationDataInvite(
                name: FixedName("Guest", width: 32), idType: .app, sharedKey: key, remoteAllowed: false, restriction: .unrestricted,
                challenge: nonce, securityPIN: Self.pin))
        }
        #expect(Self.messages(link.pump(link.client.send(invite))) == [
            .authorizationIDInvite(AuthorizationIDInvite(authID: 2, dateCreated: EndToEndTests.start.utcDateTime)),
        ])
        #expect(link.lock.machine.authorization(2)?.name == FixedName("Guest", width: 32))
    }
}
