import Foundation
import LockCore
import LockEmulator
import LockWire
import Testing

/// The JSON event stream's schema (`lock serve --format json`): exact lines for the runtime's own
/// events, the schema version on lock events too, and the full list of lock event names.
@Suite struct EventJSONTests {
    static func line(_ event: LockServer.Event) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    @Test func runtimeEventsHaveTheirDocumentedShape() throws {
        #expect(try Self.line(.connected(3)) == #"{"connection":3,"event":"connected","schema":1}"#)
        #expect(try Self.line(.disconnected(3, reason: "link closed")) == #"{"connection":3,"event":"disconnected","reason":"link closed","schema":1}"#)
        #expect(try Self.line(.refused(4, .badNonce, command: .lockAction, reason: "used")) ==
            #"{"command":"LOCK_ACTION","commandValue":13,"connection":4,"errorCode":"K_ERROR_BAD_NONCE","errorCodeValue":34,"event":"refused","reason":"used","schema":1}"#)
        #expect(try Self.line(.listening(location: "here", name: "Nuki_2A37599A")) == #"{"event":"listening","location":"here","name":"Nuki_2A37599A","schema":1}"#)
        #expect(try Self.line(.storageFailed(reason: "disk full")) == #"{"event":"storageFailed","reason":"disk full","schema":1}"#)
        #expect(try Self.line(.storageRecovered) == #"{"event":"storageRecovered","schema":1}"#)
        #expect(try Self.line(.storageWarning("cannot fold")) == #"{"event":"storageWarning","reason":"cannot fold","schema":1}"#)
        #expect(try Self.line(.lock(.pairingModeLeft)) == #"{"event":"pairingModeLeft","schema":1}"#)
        #expect(try Self.line(.lock(.batteryCritical(percent: 19))) == #"{"event":"batteryCritical","percent":19,"schema":1}"#)
    }

    @Test func lockEventNamesAreSpelledOut() {
        let events: [LockEvent] = [
            .lockStateChanged(.unlocked, trigger: .manual), .lockActionStarted(.unlock, trigger: .system, authID: 1),
            .lockActionCompleted(.unlock, trigger: .system, authID: 1, status: .success), .lockActionSkipped(.lock, trigger: .autoLock, status: .success),
            .timeControlFired(entryID: 1, .lock), .calibrationStarted(authID: 1), .calibrationCompleted(authID: 1, status: .success),
            .pairingModeEntered(until: LockInstant(millisecondsSince1970: 0)), .pairingModeLeft, .authorizationAdded(authID: 1, idType: .app),
            .authorizationUpdated(authID: 1), .authorizationRevoked(authID: 1), .securityPINChanged, .clockSet(.unset), .rebootRequested,
            .configChanged(updateCount: 1), .advancedConfigChanged(updateCount: 1), .timeControlChanged(entryID: 1),
            .batteryLevelChanged(percent: 50), .batteryCritical(percent: 19), .ringLightChanged(.off),
        ]
        #expect(events.map(\.eventName) == [
            "lockStateChanged", "lockActionStarted", "lockActionCompleted", "lockActionSkipped", "timeControlFired", "calibrationStarted",
            "calibrationCompleted", "pairingModeEntered", "pairingModeLeft", "authorizationAdded", "authorizationUpdated",
            "authorizationRevoked", "securityPINChanged", "clockSet", "rebootRequested", "configChanged", "advancedConfigChanged",
            "timeControlChanged", "batteryLevelChanged", "batteryCritical", "ringLightChanged",
        ])
    }
}

/// ``LockControl``'s text form: every command prints as a line that parses back to it.
@Suite struct LockControlLineTests {
    @Test func everyCommandParsesBackFromItsLine() throws {
        let commands: [LockControl] = [
            .button, .state, .keyTurn(.lock), .keyTurn(.unlock), .keyTurn(.unlatch), .door(open: true), .door(open: false),
            .battery(percent: 0), .battery(percent: 100), .clockSet(DateTime(year: 2028, month: 2, day: 29, hour: 23, minute: 59, second: 59)),
            .clockAdvance(seconds: 1), .clockAdvance(seconds: LockControl.maximumAdvanceSeconds),
        ]
        #expect(commands.map(\.description) == [
            "button", "state", "key-turn lock", "key-turn unlock", "key-turn unlatch", "door open", "door closed", "battery 0", "battery 100",
            "clock set 2028-02-29T23:59:59Z", "clock advance 1", "clock advance 31622400",
        ])
        for command in commands { #expect(try LockControl(line: command.description) == command) }
        for bad in ["", "button now", "battery", "battery 50 50", "clock set 1999-12-31T23:59:59Z", "clock set 2028-02-29T24:00:00Z", "clock advance 0", "key-turn  lock", "BUTTON"] {
            #expect(throws: LockControl.ParseError.self, "\(bad)") { try LockControl(line: bad) }
        }
    }
}
