/// The error of the NFC credential protocol: a machine-readable ``Code`` and a human reason.
///
/// Decoders and the reader throw it; the card never throws (it answers with a status word).
/// Design: `docs/architecture.md` §4 item 1 (a struct over a private enum, as `NIOSSHError`).
public struct NFCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The machine-readable kind of an ``NFCError``; compare it with the named constants
    /// (`error.code == .noApplication`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformedAPDU, statusWord, noApplication, badResponse, transport, noCard, released, timeout
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A command or response APDU that breaks ISO 7816-4 short encoding (length fields, size).
        public static let malformedAPDU = Code(.malformedAPDU)
        /// The card answered with a status word other than 90 00.
        public static let statusWord = Code(.statusWord)
        /// The card does not have the Latchkey application (SELECT answered 6A 82, or a tag that only
        /// has a UID): it cannot authenticate.
        public static let noApplication = Code(.noApplication)
        /// A 90 00 response whose data does not fit the layout (length, credential id, version).
        public static let badResponse = Code(.badResponse)
        /// The transport (libnfc, pty) failed.
        public static let transport = Code(.transport)
        /// No card in the field.
        public static let noCard = Code(.noCard)
        /// The reader released the card (PN532 status 0x29), which ends a card emulation.
        public static let released = Code(.released)
        /// The peer did not answer in time.
        public static let timeout = Code(.timeout)

        /// The code's name, e.g. `malformedAPDU`.
        public var description: String {
            switch base {
            case .malformedAPDU: return "malformedAPDU"
            case .statusWord: return "statusWord"
            case .noApplication: return "noApplication"
            case .badResponse: return "badResponse"
            case .transport: return "transport"
            case .noCard: return "noCard"
            case .released: return "released"
            case .timeout: return "timeout"
            }
        }
    }

    /// What went wrong, for code to act on.
    public let code: Code
    /// A human-readable explanation (lengths, status words, libnfc's message).
    public let reason: String

    /// An error of kind `code` explained by `reason`.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `code: reason`, e.g. `statusWord: AUTHENTICATE answered SW 6982`.
    public var description: String { "\(code): \(reason)" }
}
