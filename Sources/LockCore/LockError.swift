import LockWire

/// A command the lock refuses: the Nuki error code its Error Report carries, and why.
/// The lock's state is unchanged when this is thrown.
public struct LockError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: NukiErrorCode
    public let reason: String

    public init(_ code: NukiErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
