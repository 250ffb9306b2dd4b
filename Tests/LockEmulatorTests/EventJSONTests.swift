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
