import Foundation
import LockWire

/// Test vectors from `Tests/Vectors/SetA.json`: protocol.md §10.1 (Nuki Smart Lock API V2.1
/// "Authorize App" example, corrected as protocol.md describes) and §10.5 (CRC).
struct SetA: Decodable {
    struct CRCVector: Decodable {
        let name: String
        let input_ascii: String?
        let input_hex: String?
        let crc: String
        let wire: String
        let source: String
    }

    let source: String
    let hex: [String: String]
    let crc: [CRCVector]

    static func load() throws -> SetA {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/SetA.json")
        return try JSONDecoder().decode(SetA.self, from: Data(contentsOf: url))
    }

    struct Missing: Error { let key: String }

    func bytes(_ key: String) throws -> [UInt8] {
        guard let text = hex[key], let bytes = Hex.decode(text) else { throw Missing(key: key) }
        return bytes
    }
}

/// The WireError `body` throws, or nil when it returns.
func wireError<T>(_ body: () throws(WireError) -> T) -> WireError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func b32(_ fill: UInt8) -> Bytes32 {
    Bytes32([UInt8](repeating: fill, count: 32)) ?? .zero
}
