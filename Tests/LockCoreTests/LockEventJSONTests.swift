import Foundation
import LockCore
import LockWire
import Testing

/// Lock events as JSON Lines objects for the event stream.
@Suite struct LockEventJSONTests {
    static func json(_ event: LockEvent) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(event)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func eventsCarryTheirNameAndCodesWithSpecNames() throws {
        let object = try Self.json(.lockActionCompleted(.unlock, trigger: .manual, authID: 4, status: .success))
        #expect(object["event"] as? String == "lockActionCompleted")
        #expect(object["lockAction"] as? String == "UNLOCK")
        #expect(object["lockActionValue"] as? Int == 1)
        #expect(object["trigger"] as? String == "MANUAL")
        #expect(object["authID"] as? Int == 4)
        #expect(object["completionStatus"] as? String == "SUCCESS")
        #expect(try Self.json(.pairingModeLeft)["event"] as? String == "pairingModeLeft")
        #expect(try Self.json(.batteryCritical(percent: 19))["percent"] as? Int == 19)
    }

    @Test func theInviteKeyIsNeverEncoded() throws {
        let key = try #require(Bytes32([UInt8](repeating: 0xAB, count: 32)))
        let encoder = JSONEncoder()
        let text = String(decoding: try encoder.encode(LockEvent.invitedAuthorizationKey(authID: 7, sharedKey: key)), as: UTF8.self)
        #expect(!text.uppercased().contains("ABAB"))
        #expect(!text.contains("171"))  // 0xAB as a number
        #expect(try Self.json(.invitedAuthorizationKey(authID: 7, sharedKey: key)).keys.sorted() == ["authID", "event"])
    }
}
