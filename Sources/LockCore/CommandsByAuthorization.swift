import LockWire

/// The last command each authorization sent (for Most Recent Command 0x000F), as a map that encodes
/// deterministically: `[[authID, commandID], …]` sorted by auth id, so the same lock state always
/// writes the same state file bytes (a Swift dictionary's order changes from process to process).
public struct CommandsByAuthorization: Hashable, Sendable, Codable {
    private var storage: [UInt32: Command] = [:]

    public init() {}

    public subscript(authID: UInt32) -> Command? {
        get { storage[authID] }
        set { storage[authID] = newValue }
    }

    public var count: Int { storage.count }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (authID, command) in storage.sorted(by: { $0.key < $1.key }) {
            try container.encode([authID, UInt32(command.rawValue)])
        }
    }

    /// Reads the pairs back; a malformed pair, a command id above 0xFFFF or a repeated auth id throws.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            let pair = try container.decode([UInt32].self)
            guard pair.count == 2, let raw = UInt16(exactly: pair[1]), storage[pair[0]] == nil else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected distinct [authID, commandID] pairs")
            }
            storage[pair[0]] = Command(rawValue: raw)
        }
    }
}
