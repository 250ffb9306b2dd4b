/// Advertising or scan response data that is not what it claims to be: an AD structure overrunning
/// the data, bytes after the terminator, data over 31 octets, or no (or conflicting) Nuki structure
/// (Bluetooth Core 5.4 Vol 3 Part C §11; `docs/wire.md` §1.3).
public struct AdvertisingDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the offset or the structures.
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "invalid advertising data: \(reason)" }
}
