/// The error `BLEATT` throws: a machine-readable ``Code``, a human reason and, for decode failures,
/// the ATT Error Response a server answers with.
///
/// Decoders never trap on input. A decode failure of a request maps to an Error Response
/// (Bluetooth Core 5.4, Vol 3, Part F, §3.4.1.1) through ``errorResponseCode`` and
/// ``attributeHandle``; the bearer sends it for you (``ATTBearer/receive(_:)``). Codes without an
/// Error Response mapping are local misuse of the bearer (sending a second request, answering a
/// request that is not pending, …): wire outcomes are replies, Swift errors are local failures.
public struct ATTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of input or call was rejected. A struct over a private enum, so new codes are not
    /// source breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case truncated, trailingBytes, invalidPDU, exceedsMTU, invalidHandle, unknownOpcode,
                unsupportedOpcode, requestOutstanding, indicationOutstanding, noRequestPending,
                noIndicationPending, responseMismatch, mtuAlreadyExchanged, bearerClosed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Fewer bytes than the PDU layout needs (including an empty PDU). Answered with Invalid PDU.
        public static let truncated = Code(.truncated)
        /// Bytes left after a fixed-size PDU. Answered with Invalid PDU.
        public static let trailingBytes = Code(.trailingBytes)
        /// A field outside its defined values (Find Information format, Execute Write flags, a list
        /// whose length is not a multiple of its entry size, a UUID neither 2 nor 16 bytes).
        /// Answered with Invalid PDU.
        public static let invalidPDU = Code(.invalidPDU)
        /// The PDU is longer than the ATT_MTU (§3.2.8, §3.3). Answered with Invalid PDU; when thrown
        /// by ``ATTBearer/send(_:at:)``, nothing was sent.
        public static let exceedsMTU = Code(.exceedsMTU)
        /// Handle 0x0000 where the spec forbids it (§3.2.2), or a starting handle greater than the
        /// ending handle (§3.4.3.1, §3.4.3.3, §3.4.4.1, §3.4.4.9). Answered with Invalid Handle and
        /// the offending handle in ``ATTError/attributeHandle``.
        public static let invalidHandle = Code(.invalidHandle)
        /// An opcode the Core spec does not define. Answered with Request Not Supported when the
        /// command flag is clear; a command (flag set) is ignored (§3.3).
        public static let unknownOpcode = Code(.unknownOpcode)
        /// An opcode the Core spec defines but `BLEATT` does not implement (Read Multiple, Read
        /// Multiple Variable Length, Signed Write Command, Multiple Handle Value Notification).
        /// Handled as ``unknownOpcode``.
        public static let unsupportedOpcode = Code(.unsupportedOpcode)
        /// Local: a request is already awaiting its response on this bearer (§3.3.2).
        public static let requestOutstanding = Code(.requestOutstanding)
        /// Local: an indication is already awaiting its confirmation on this bearer (§3.3.2).
        public static let indicationOutstanding = Code(.indicationOutstanding)
        /// Local: a response was sent while no peer request is awaiting one.
        public static let noRequestPending = Code(.noRequestPending)
        /// Local: a confirmation was sent while no peer indication is awaiting one.
        public static let noIndicationPending = Code(.noIndicationPending)
        /// Local: the response does not answer the pending request (wrong opcode, or a Prepare Write
        /// Response that does not echo the request).
        public static let responseMismatch = Code(.responseMismatch)
        /// Local: Exchange MTU is sent once per connection (§3.4.2.1).
        public static let mtuAlreadyExchanged = Code(.mtuAlreadyExchanged)
        /// Local: a transaction timed out, so no further PDU may be sent on this bearer (§3.3.3).
        public static let bearerClosed = Code(.bearerClosed)

        /// The ATT error code a server answers with for this rejection, or `nil` for local errors.
        public var errorResponseCode: ATTErrorCode? {
            switch base {
            case .truncated, .trailingBytes, .invalidPDU, .exceedsMTU: return .invalidPDU
            case .invalidHandle: return .invalidHandle
            case .unknownOpcode, .unsupportedOpcode: return .requestNotSupported
            case .requestOutstanding, .indicationOutstanding, .noRequestPending, .noIndicationPending,
                .responseMismatch, .mtuAlreadyExchanged, .bearerClosed:
                return nil
            }
        }

        /// The code's name, e.g. `invalidHandle`.
        public var description: String {
            switch base {
            case .truncated: return "truncated"
            case .trailingBytes: return "trailingBytes"
            case .invalidPDU: return "invalidPDU"
            case .exceedsMTU: return "exceedsMTU"
            case .invalidHandle: return "invalidHandle"
            case .unknownOpcode: return "unknownOpcode"
            case .unsupportedOpcode: return "unsupportedOpcode"
            case .requestOutstanding: return "requestOutstanding"
            case .indicationOutstanding: return "indicationOutstanding"
            case .noRequestPending: return "noRequestPending"
            case .noIndicationPending: return "noIndicationPending"
            case .responseMismatch: return "responseMismatch"
            case .mtuAlreadyExchanged: return "mtuAlreadyExchanged"
            case .bearerClosed: return "bearerClosed"
            }
        }
    }

    /// What kind of input or call was rejected.
    public let code: Code
    /// Why, in words, for logs and test failures.
    public let reason: String
    /// The Attribute Handle In Error of the Error Response: the offending handle for
    /// ``Code/invalidHandle``, 0x0000 otherwise (§3.3: Invalid PDU and Request Not Supported carry
    /// 0x0000).
    public let attributeHandle: UInt16

    /// An error with its code, reason and, for ``Code/invalidHandle``, the handle to report.
    public init(_ code: Code, _ reason: String, attributeHandle: UInt16 = 0x0000) {
        self.code = code
        self.reason = reason
        self.attributeHandle = attributeHandle
    }

    /// The ATT error code a server answers with, or `nil` for local errors (see ``Code``).
    public var errorResponseCode: ATTErrorCode? { code.errorResponseCode }

    /// `ATTError.<code>: <reason>`.
    public var description: String { "ATTError.\(code): \(reason)" }
}
