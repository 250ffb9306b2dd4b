import Foundation
import LockWire

/// Set A test vectors, loaded from `Tests/Vectors/SetA.json` (its `source` field names the origin:
/// the Nuki Smart Lock API V2.1 "Authorize App" example as corrected in protocol.md §10.1).
///
/// The file lives outside the test target (SwiftPM resources cannot), so it is found relative to
/// this source file.
struct SetAVectors: Decodable {
    struct CRCVector: Decodable {
        let name: String
        let input_hex: String?
        let input_ascii: String?
        let crc: String
        let wire: String
    }

    struct MissingField: Error, CustomStringConvertible {
        let name: String
        var description: String { "SetA.json has no valid field \(name)" }
    }

    let source: String
    let hex: [String: String]
    let numbers: [String: Int]
    let text: [String: String]
    let crc: [CRCVector]

    static let fileURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LockCryptoTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Vectors")
        .appendingPathComponent("SetA.json")

    static func load() throws -> SetAVectors {
        try JSONDecoder().decode(SetAVectors.self, from: Data(contentsOf: fileURL))
    }

    /// The bytes of a hex field.
    func bytes(_ name: String) throws -> [UInt8] {
        guard let text = hex[name], let bytes = Hex.decode(text) else { throw MissingField(name: name) }
        return bytes
    }

    /// A 32-byte hex field.
    func bytes32(_ name: String) throws -> Bytes32 {
        guard let value = Bytes32(try bytes(name)) else { throw MissingField(name: name) }
        return value
    }

    func number(_ name: String) throws -> Int {
        guard let value = numbers[name] else { throw MissingField(name: name) }
        return value
    }

    func string(_ name: String) throws -> String {
        guard let value = text[name] else { throw MissingField(name: name) }
        return value
    }
}
