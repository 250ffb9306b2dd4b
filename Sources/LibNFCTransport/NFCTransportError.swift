#if canImport(Glibc)
import Glibc
#endif
import LockNFC

/// Local failures of the libnfc adapters and the virtual PN532 (system calls). Card-level and
/// libnfc errors are ``LockNFC/NFCError``.
public struct NFCTransportError: Error, CustomStringConvertible, Sendable {
    /// What failed: the system call and `strerror`'s message, e.g. `posix_openpt failed: …`.
    public let reason: String

    /// An error explained by `reason`.
    public init(_ reason: String) { self.reason = reason }

    static func system(_ call: String, _ code: Int32) -> NFCTransportError {
        NFCTransportError("\(call) failed: \(String(cString: strerror(code)))")
    }

    /// The ``reason``.
    public var description: String { reason }
}
