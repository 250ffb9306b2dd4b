import PrivateFiles

/// The error `BLETransport` throws: a machine-readable ``Code``, a reason, and for system calls the
/// `errno` value.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed. A struct over a private enum, so new codes are not source breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case closed, timeout, system, pduTooLarge, emptyPDU, pathTooLong, invalidRecord, invalidAdvertisingData, invalidAddress, unsafeFolder, inUse
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The link is closed (locally, or the peer went away).
        public static let closed = Code(.closed)
        /// A send could not complete within its timeout.
        public static let timeout = Code(.timeout)
        /// A system call failed; see ``TransportError/errno``.
        public static let system = Code(.system)
        /// A PDU (or received datagram) longer than the link's ``ATTLink/maximumPDUSize``; a received
        /// one is dropped whole.
        public static let pduTooLarge = Code(.pduTooLarge)
        /// An empty PDU: ATT has none (Vol 3 Part F §3.3), and an empty datagram reads as end of stream.
        public static let emptyPDU = Code(.emptyPDU)
        /// A Unix socket path longer than `sun_path` holds (107 octets + NUL).
        public static let pathTooLong = Code(.pathTooLong)
        /// A discovery record that is not valid JSON of the documented shape.
        public static let invalidRecord = Code(.invalidRecord)
        /// Advertising data whose AD structures overrun, or that lacks what a Nuki advertises.
        public static let invalidAdvertisingData = Code(.invalidAdvertisingData)
        /// A device address not of the form `AA:BB:CC:DD:EE:FF`.
        public static let invalidAddress = Code(.invalidAddress)
        /// A discovery folder refused by its checks: another user's, writable by others, a link of
        /// another user on the way, not a folder (``DiscoveryFolder/prepare(owner:)``).
        public static let unsafeFolder = Code(.unsafeFolder)
        /// The device address is already served from this discovery folder by another process.
        public static let inUse = Code(.inUse)

        /// The code's name.
        public var description: String {
            switch base {
            case .closed: return "closed"
            case .timeout: return "timeout"
            case .system: return "system"
            case .pduTooLarge: return "pduTooLarge"
            case .emptyPDU: return "emptyPDU"
            case .pathTooLong: return "pathTooLong"
            case .invalidRecord: return "invalidRecord"
            case .invalidAdvertisingData: return "invalidAdvertisingData"
            case .invalidAddress: return "invalidAddress"
            case .unsafeFolder: return "unsafeFolder"
            case .inUse: return "inUse"
            }
        }
    }

    /// What failed.
    public let code: Code
    /// Why, in words.
    public let reason: String
    /// The `errno` of a failed system call, or 0.
    public let errno: Int32

    /// An error with its code, reason and, for ``Code/system``, `errno`.
    public init(_ code: Code, _ reason: String, errno: Int32 = 0) {
        self.code = code
        self.reason = reason
        self.errno = errno
    }

    /// A refused discovery folder: `unsafeFolder` with the check's message (`system` when a system
    /// call failed).
    public init(_ error: PrivateFileError) {
        self.init(error.code == .system ? .system : .unsafeFolder, error.message)
    }

    /// `TransportError.<code>: <reason>`.
    public var description: String { "TransportError.\(code): \(reason)" + (errno != 0 ? " (errno \(errno))" : "") }
}
