/// Names one client connection of a ``GATTServer``. Per-connection state (ATT bearer, MTU, CCCD
/// values, the indication queue) lives under it and is dropped on disconnect (Bluetooth Core 5.4,
/// Vol 3, Part G, §3.3.3.3: CCCD values of a client without a bond are not kept across connections).
public struct GATTConnectionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A number unique for the server's lifetime.
    public let rawValue: UInt64
    /// A connection number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Orders by number.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    /// `conn#3`.
    public var description: String { "conn#\(rawValue)" }
}
