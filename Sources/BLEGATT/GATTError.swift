import BLEATT

/// The error `BLEGATT` throws or reports for local failures and failed client procedures: a
/// machine-readable ``Code``, a reason, and — when the peer answered with an ATT Error Response
/// (Bluetooth Core 5.4, Vol 3, Part F, §3.4.1.1) — that response.
///
/// Wire outcomes towards a peer are replies (Error Responses), never throws; these errors are for
/// the layer above.
public struct GATTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed. A struct over a private enum, so new codes are not source breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unknownConnection, unknownCharacteristic, indicationsNotEnabled, tooManyAttributes,
                errorResponse, invalidResponse, timeout, bearer, valueTooLong
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection id is not (or no longer) connected.
        public static let unknownConnection = Code(.unknownConnection)
        /// No characteristic value with that handle or UUID in the database or the discovered profile.
        public static let unknownCharacteristic = Code(.unknownCharacteristic)
        /// The client has not enabled indications in the CCCD on this connection (Part G §3.3.3.3),
        /// or the characteristic does not have the indicate property.
        public static let indicationsNotEnabled = Code(.indicationsNotEnabled)
        /// A database would need handles past 0xFFFF (Part F §3.2.2).
        public static let tooManyAttributes = Code(.tooManyAttributes)
        /// The peer answered a client procedure with an ATT Error Response (see ``GATTError/errorResponse``).
        public static let errorResponse = Code(.errorResponse)
        /// The peer's response is well-formed ATT but wrong for the GATT procedure (a Prepare Write
        /// Response that does not echo the request, a declaration value of the wrong size, handles
        /// going backwards).
        public static let invalidResponse = Code(.invalidResponse)
        /// A transaction timed out (Part F §3.3.3); the bearer is closed.
        public static let timeout = Code(.timeout)
        /// The ATT bearer refused to send (see the reason).
        public static let bearer = Code(.bearer)
        /// A value longer than an attribute may be (512 octets, Part F §3.2.9).
        public static let valueTooLong = Code(.valueTooLong)

        /// The code's name.
        public var description: String {
            switch base {
            case .unknownConnection: return "unknownConnection"
            case .unknownCharacteristic: return "unknownCharacteristic"
            case .indicationsNotEnabled: return "indicationsNotEnabled"
            case .tooManyAttributes: return "tooManyAttributes"
            case .errorResponse: return "errorResponse"
            case .invalidResponse: return "invalidResponse"
            case .timeout: return "timeout"
            case .bearer: return "bearer"
            case .valueTooLong: return "valueTooLong"
            }
        }
    }

    /// What failed.
    public let code: Code
    /// Why, in words.
    public let reason: String
    /// The peer's Error Response, for ``Code/errorResponse``.
    public let errorResponse: ATTErrorResponse?

    /// An error with its code and reason.
    public init(_ code: Code, _ reason: String, errorResponse: ATTErrorResponse? = nil) {
        self.code = code
        self.reason = reason
        self.errorResponse = errorResponse
    }

    /// A bearer refusal wrapped as ``Code/bearer``.
    init(_ error: ATTError) {
        self.init(.bearer, error.description)
    }

    /// `GATTError.<code>: <reason>`.
    public var description: String { "GATTError.\(code): \(reason)" }
}
