/// The Nuki GATT characteristics a session reads and writes (`docs/wire.md` §1.1).
public enum Characteristic: String, Hashable, Sendable, CaseIterable {
    /// Pairing GDIO (`a92ee101-…`; Ultra `a92ee301-…`): plain pairing messages.
    case pairingGDIO
    /// Keyturner GDIO (`a92ee201-…`): plain Error Reports for frames the lock cannot attribute.
    case keyturnerGDIO
    /// Keyturner USDIO (`a92ee202-…`): encrypted messages.
    case keyturnerUSDIO
}

/// One connection of a peripheral, as numbered by the transport.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "connection \(rawValue)" }
}
