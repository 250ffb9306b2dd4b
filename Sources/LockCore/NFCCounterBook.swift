import LockWire

/// The highest NFC card counter the lock accepted, per credential (fob auth id): a tap is only
/// accepted with a counter above it (`docs/attacks.md` F-03). Encodes deterministically as
/// `[[credentialID, counter], …]` sorted by credential id, like ``CommandsByAuthorization``.
public struct NFCCounterBook: Hashable, Sendable, Codable {
    private var storage: [UInt32: UInt32] = [:]

    public init() {}

    /// The highest accepted counter of `credentialID`, 0 when none was accepted yet.
    public subscript(credentialID: UInt32) -> UInt32 {
        get { storage[credentialID] ?? 0 }
        set { storage[credentialID] = newValue }
    }

    /// Forgets a credential (its authorization was removed).
    public mutating func remove(_ credentialID: UInt32) { storage[credentialID] = nil }

    public var count: Int { storage.count }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (id, counter) in storage.sorted(by: { $0.key < $1.key }) {
            try container.encode([id, counter])
        }
    }

    /// Reads the pairs back; a malformed pair or a repeated credential id throws.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            let pair = try container.decode([UInt32].self)
            guard pair.count == 2, storage[pair[0]] == nil else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected distinct [credentialID, counter] pairs")
            }
            storage[pair[0]] = pair[1]
        }
    }
}
