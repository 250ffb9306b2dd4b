/// The error every `LockWire` decoder throws: a machine-readable ``Code`` and a human reason.
///
/// Decoders never trap on input. Each code maps to the Nuki error code that a lock answers with in an
/// Error Report (0x0012) when it rejects a request for that reason (Nuki BLE API 2.1 §"Error codes",
/// `docs/wire.md` §9): see ``Code/nukiErrorCode``.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of input was rejected. A struct over a private enum, so new codes are not source breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case truncated, trailingBytes, lengthOutOfRange, badCRC, badParameter, unknownCommand,
                notAuthorized, unexpectedCommand, reassemblyLimit
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Fewer bytes than the layout needs. Answered with 0xFE ERROR_BAD_LENGTH.
        public static let truncated = Code(.truncated)
        /// Bytes left after a fixed layout, or after the last optional field. Answered with 0xFE.
        public static let trailingBytes = Code(.trailingBytes)
        /// A length field disagrees with the bytes received, or exceeds a named limit in ``WireLimits``.
        /// Answered with 0xFE.
        public static let lengthOutOfRange = Code(.lengthOutOfRange)
        /// The CRC-16/CCITT-FALSE does not match. Answered with 0xFD ERROR_BAD_CRC.
        public static let badCRC = Code(.badCRC)
        /// A field holds a value outside its documented range (month 13, lock action 0x00…).
        /// Answered with 0x23 K_ERROR_BAD_PARAMETER (0x12 P_ERROR_BAD_PARAMETER on the pairing channel).
        public static let badParameter = Code(.badParameter)
        /// The command id is not one the API documents. Answered with 0xFF ERROR_UNKNOWN.
        public static let unknownCommand = Code(.unknownCommand)
        /// Unknown authorization id, a MAC that does not verify, or inner and outer auth ids that differ.
        /// Answered with 0x20 K_ERROR_NOT_AUTHORIZED.
        public static let notAuthorized = Code(.notAuthorized)
        /// A documented command that does not belong where it arrived (direction or channel).
        /// Answered with 0xFF ERROR_UNKNOWN.
        public static let unexpectedCommand = Code(.unexpectedCommand)
        /// A fragment would push the reassembly buffer past ``WireLimits/maxReassembledBytes`` or
        /// ``WireLimits/maxFragments``. Answered with 0xFE.
        public static let reassemblyLimit = Code(.reassemblyLimit)

        /// The Nuki error code a lock reports for this rejection (`docs/wire.md` §9).
        public var nukiErrorCode: NukiErrorCode {
            switch base {
            case .truncated, .trailingBytes, .lengthOutOfRange, .reassemblyLimit: return .badLength
            case .badCRC: return .badCRC
            case .badParameter: return .badParameter
            case .unknownCommand, .unexpectedCommand: return .unknown
            case .notAuthorized: return .notAuthorized
            }
        }

        public var description: String {
            switch base {
            case .truncated: return "truncated"
            case .trailingBytes: return "trailingBytes"
            case .lengthOutOfRange: return "lengthOutOfRange"
            case .badCRC: return "badCRC"
            case .badParameter: return "badParameter"
            case .unknownCommand: return "unknownCommand"
            case .notAuthorized: return "notAuthorized"
            case .unexpectedCommand: return "unexpectedCommand"
            case .reassemblyLimit: return "reassemblyLimit"
            }
        }
    }

    /// What kind of input was rejected.
    public let code: Code
    /// Why, in words, for logs and test failures. Never contains secret material.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "WireError.\(code): \(reason)" }
}
