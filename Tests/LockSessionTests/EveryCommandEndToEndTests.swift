import LockCore
import LockCrypto
import LockSession
import LockWire
import Testing

/// Every client command of docs/wire.md §4, sent by a paired client through both engines: its success
/// reply, then the generic documented errors (K_ERROR_BAD_NONCE, K_ERROR_BAD_PIN) for every command
/// that carries a challenge or a PIN. Command-specific errors are in LockCoreTests at machine level.
@Suite struct EveryCommandEndToEndTests {
    static let pin = SecurityPIN.u16(4321)
    static let time = DateTime(year: 2026, month: 3, day: 2, hour: 9, minute: 0, second: 0)

    /// One step: the message to send (built with the challenge) and the replies' commands.
    struct Step {
        let command: Command
        let build: @Sendable (Bytes32) -> NukiMessage
        let replies: [Command]
    }

    static func steps(inviteeID: UInt32) -> [Step] {
        let schedule = TimeControlSchedule(weekdays: [.monday], time: TimeOfDay(hour: 7, minute: 0), lockAction: .unlock)
        let name = FixedName("Door", width: 32)
        return [
            Step(command: .requestData, build: { _ in .requestData(RequestData(requestedCommand: .keyturnerStates)) }, replies: [.keyturnerStates]),
            Step(command: .requestConfig, build: { .requestConfig(RequestConfig(challenge: $0)) }, replies: [.config]),
            Step(command: .setConfig, build: { n in AdminSamples.message(.setConfig, challenge: n) }, replies: [.status]),
            Step(command: .requestAdvancedConfig, build: { .requestAdvancedConfig(RequestAdvancedConfig(challenge: $0)) }, replies: [.advancedConfig]),
            Step(command: .setAdvancedConfig, build: { n in AdminSamples.message(.setAdvancedConfig, challenge: n) }, replies: [.status]),
            Step(command: .updateTime, build: { .updateTime(UpdateTime(time: time, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .verifySecurityPIN, build: { .verifySecurityPIN(VerifySecurityPIN(challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .enableLogging, build: { .enableLogging(EnableLogging(enabled: true, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .addKeypadCode, build: { .addKeypadCode(AddKeypadCode(code: 456_789, name: FixedName("Cleaner", width: 20), restriction: .unrestricted, challenge: $0, securityPIN: pin)) }, replies: [.keypadCodeID]),
            Step(command: .requestKeypadCodes, build: { .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 10, challenge: $0, securityPIN: pin)) }, replies: [.keypadCodeCount, .keypadCode, .status]),
            Step(command: .updateKeypadCode, build: { .updateKeypadCode(UpdateKeypadCode(codeID: 1, code: 456_788, name: FixedName("Cleaner", width: 20), enabled: true, restriction: .unrestricted, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .removeKeypadCode, build: { .removeKeypadCode(RemoveKeypadCode(codeID: 1, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .addTimeControlEntry, build: { .addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: $0, securityPIN: pin)) }, replies: [.timeControlEntryID]),
            Step(command: .requestTimeControlEntries, build: { .requestTimeControlEntries(RequestTimeControlEntries(challenge: $0, securityPIN: pin)) }, replies: [.timeControlEntryCount, .timeControlEntry, .status]),
            Step(command: .updateTimeControlEntry, build: { .updateTimeControlEntry(UpdateTimeControlEntry(entry: TimeControlEntry(entryID: 1, enabled: false, schedule: schedule), challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .removeTimeControlEntry, build: { .removeTimeControlEntry(RemoveTimeControlEntry(entryID: 1, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .authorizationDataInvite, build: { n in .authorizationDataInvite(AuthorizationDataInvite(name: FixedName("Guest", width: 32), idType: .app, sharedKey: Bytes32([UInt8](repeating: 7, count: 32)) ?? .zero, remoteAllowed: false, restriction: .unrestricted, challenge: n, securityPIN: pin)) }, replies: [.authorizationIDInvite]),
            Step(command: .requestAuthorizationEntries, build: { .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 10, challenge: $0, securityPIN: pin)) }, replies: [.authorizationEntryCount, .authorizationEntry, .authorizationEntry, .status]),
            Step(command: .updateAuthorizationEntry, build: { .updateAuthorizationEntry(UpdateAuthorizationEntry(authID: inviteeID, name: name, enabled: false, remoteAllowed: false, restriction: .unrestricted, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .removeAuthorizationEntry, build: { .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: inviteeID, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .lockAction, build: { .lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: $0)) }, replies: [.status, .keyturnerStates, .keyturnerStates, .status]),
            Step(command: .simpleLockAction, build: { .simpleLockAction(SimpleLockActionRequest(action: .lock, challenge: $0)) }, replies: [.status, .keyturnerStates, .keyturnerStates, .status]),
            Step(command: .requestCalibration, build: { .requestCalibration(RequestCalibration(challenge: $0, securityPIN: pin)) }, replies: [.status, .keyturnerStates, .keyturnerStates, .status]),
            Step(command: .requestLogEntries, build: { .requestLogEntries(RequestLogEntries(startIndex: 0, count: 2, descending: true, totalCount: true, challenge: $0, securityPIN: pin)) }, replies: [.logEntryCount, .logEntry, .logEntry, .status]),
            Step(command: .setSecurityPIN, build: { .setSecurityPIN(SetSecurityPIN(newPIN: pin, challenge: $0, securityPIN: pin)) }, replies: [.status]),
            Step(command: .requestReboot, build: { .requestReboot(RequestReboot(challenge: $0, securityPIN: pin)) }, replies: [.status]),
        ]
    }

    static func send(_ link: inout Link, _ step: Step) -> [NukiMessage] {
        let needsChallenge = step.command != .requestData
        let request = ClientRequest(command: step.command, needsChallenge: needsChallenge, finalCommands: Set(step.replies.suffix(1)).subtracting([.status]), build: step.build)
        for case .completed(_, let messages) in link.pump(link.client.send(request)) { return messages }
        return []
    }

    @Test func everyClientCommandSucceedsThroughBothEngines() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let inviteeID = link.lock.machine.nextAuthID
        var covered: Set<Command> = []
        for step in Self.steps(inviteeID: inviteeID) {
            let replies = Self.send(&link, step)
            #expect(replies.map(\.command) == step.replies, "\(step.command)")
            if case .status(let status) = replies.last { #expect(status.status == .complete, "\(step.command)") }
            covered.insert(step.command)
        }
        // Keypad Action comes from a keypad.
        var keypad = try EndToEndTests.pair(link.lock, .keypad, id: 2, connection: 2, at: link.now)
        let back = keypad.pump(keypad.client.send(.keypadAction(source: .backKey, code: 0, action: .lock)))
        guard case .completed(_, let messages) = back.first else {
            Issue.record("\(back)")
            return
        }
        #expect(messages.last == .status(Status(.complete)))
        covered.insert(.keypadAction)
        let clientCommands = Set(CommandAccess.rows.filter { $0.value != .notAClientCommand }.keys)
        #expect(covered == clientCommands)
    }

    /// K_ERROR_BAD_NONCE for every command that carries a challenge, when it carries one the lock
    /// never issued on this connection; nothing is executed.
    @Test func everyChallengeCommandRefusesAStaleChallenge() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        let before = link.lock.machine
        var checked = 0
        for step in Self.steps(inviteeID: 99) where step.command != .requestData {
            let stale = Bytes32([UInt8](repeating: 0x5C, count: 32)) ?? .zero
            let request = ClientRequest(command: step.command, needsChallenge: false) { _ in step.build(stale) }
            let replies = link.pump(link.client.send(request))
            #expect(EndToEndTests.errorCode(replies) == .badNonce, "\(step.command)")
            checked += 1
        }
        #expect(checked == 25)
        #expect(link.lock.machine == before, "a refused frame changes nothing")
    }

    /// K_ERROR_BAD_PIN for every PIN-protected command with a wrong PIN.
    @Test func everyPINCommandRefusesAWrongPIN() throws {
        var link = try EndToEndTests.pair(try EndToEndTests.newLock(), .app, id: 1, connection: 1, at: EndToEndTests.start)
        var checked = 0
        for step in Self.steps(inviteeID: 99) {
            guard step.build(.zero).securityPIN != nil else { continue }
            let wrong = ClientRequest(command: step.command, needsChallenge: true) { nonce in
                let message = step.build(nonce)
                // Re-encode with PIN 1111 in the last two bytes (the PIN ends every ECP payload).
                var payload = message.encodedPayload()
                payload.replaceSubrange((payload.count - 2)..., with: [0x57, 0x04])
                return (try? NukiMessage.decode(command: message.command, payload: payload)) ?? message
            }
            #expect(EndToEndTests.errorCode(link.pump(link.client.send(wrong))) == .badPIN, "\(step.command)")
            // A right PIN resets the failure count, so the lockout never starts here.
            _ = link.pump(link.client.send(.verifySecurityPIN(Self.pin)))
            checked += 1
        }
        #expect(checked == 21)  // every ECP row of docs/wire.md §4
    }
}
