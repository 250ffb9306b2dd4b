import Foundation
import LockWire

/// Shared by the test targets: Set A test vectors, loaded from `Tests/Vectors/SetA.json` (its `source` field names the origin:
/// the Nuki Smart Lock API V2.1 "Authorize App" example as corrected in protocol.md §10.1).
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
