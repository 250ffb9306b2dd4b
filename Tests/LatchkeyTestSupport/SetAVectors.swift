import Foundation
import LockWire

/// Shared by the test targets: Set A test vectors, loaded from `Tests/Vectors/SetA.json` (its `source` field names the origin:
/// the Nuki Smart Lock API V2.1 "Authorize App" example as corrected in docs/wire.md §10.1).
///
/// The file lives outside the test target (SwiftPM resources cannot), so it is found relative to
/// this source file.
public struct SetAVectors: Decodable, Sendable {
    public struct CRCVector: Decodable, Sendable {
        public let name: String
        public let input_hex: String?
        public let input_ascii: String?
        public let crc: String
        public let wire: String
    }

    public struct MissingField: Error, CustomStringConvertible {
        let name: String
        public var description: String { "SetA.json has no valid field \(name)" }
    }

    public let source: String
    public let hex: [String: String]
    public let numbers: [String: Int]
    public let text: [String: String]
    public let crc: [CRCVector]

    public static let fileURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LatchkeyTestSupport
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Vectors")
        .appendingPathComponent("SetA.json")

    public static func load() throws -> SetAVectors {
        try JSONDecoder().decode(SetAVectors.self, from: Data(contentsOf: fileURL))
    }

    /// One message of the Set A conversation: who sends it, whether it travels encrypted on the
    /// Keyturner USDIO (else plain on the Pairing GDIO), and its key in ``hex``.
    public struct Step: Sendable {
        public let fromClient: Bool
        public let onUSDIO: Bool
        public let key: String
    }

    /// The Set A conversation in order (docs/wire.md §10.1): ten pairing messages on the Pairing GDIO,
    /// then three encrypted requests and two encrypted replies on the Keyturner USDIO.
    public static let conversation: [Step] = [
        ("request_public_key_message", true), ("lock_public_key_message", false),
        ("client_public_key_message", true), ("challenge_1_message", false),
        ("authorization_authenticator_message", true), ("challenge_2_message", false),
        ("authorization_data_message", true), ("authorization_id_message", false),
        ("authorization_id_confirmation_message", true), ("status_complete_message", false),
    ].map { Step(fromClient: $0.1, onUSDIO: false, key: $0.0) } + [
        ("read_lock_state_message", true), ("keyturner_states_reply_message", false),
        ("request_challenge_message", true), ("challenge_reply_message", false),
        ("lock_action_message", true),
    ].map { Step(fromClient: $0.1, onUSDIO: true, key: $0.0) }

    /// The bytes of a hex field.
    public func bytes(_ name: String) throws -> [UInt8] {
        guard let text = hex[name], let bytes = Hex.decode(text) else { throw MissingField(name: name) }
        return bytes
    }

    /// A 32-byte hex field.
    public func bytes32(_ name: String) throws -> Bytes32 {
        guard let value = Bytes32(try bytes(name)) else { throw MissingField(name: name) }
        return value
    }

    public func number(_ name: String) throws -> Int {
        guard let value = numbers[name] else { throw MissingField(name: name) }
        return value
    }

    public func string(_ name: String) throws -> String {
        guard let value = text[name] else { throw MissingField(name: name) }
        return value
    }
}
