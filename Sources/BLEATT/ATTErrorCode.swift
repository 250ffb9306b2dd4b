/// The Error Code of an ATT Error Response, one octet (Bluetooth Core 5.4, Vol 3, Part F,
/// §3.4.1.1, Table 3.4).
///
/// 0x80–0x9F are Application Errors defined by a higher layer; 0xE0–0xFF are Common Profile and
/// Service Error Codes (Core Specification Supplement, Part B, §1.2). Every byte is representable.
public struct ATTErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The error code octet.
    public let rawValue: UInt8
    /// Any octet: Table 3.4 codes, application errors, profile errors and reserved values alike.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The attribute handle given was not valid on this server.
    public static let invalidHandle = Self(rawValue: 0x01)
    /// The attribute cannot be read.
    public static let readNotPermitted = Self(rawValue: 0x02)
    /// The attribute cannot be written.
    public static let writeNotPermitted = Self(rawValue: 0x03)
    /// The attribute PDU was invalid.
    public static let invalidPDU = Self(rawValue: 0x04)
    /// The attribute requires authentication before it can be read or written.
    public static let insufficientAuthentication = Self(rawValue: 0x05)
    /// ATT server does not support the request received from the client.
    public static let requestNotSupported = Self(rawValue: 0x06)
    /// Offset specified was past the end of the attribute.
    public static let invalidOffset = Self(rawValue: 0x07)
    /// The attribute requires authorization before it can be read or written.
    public static let insufficientAuthorization = Self(rawValue: 0x08)
    /// Too many prepare writes have been queued.
    public static let prepareQueueFull = Self(rawValue: 0x09)
    /// No attribute found within the given attribute handle range.
    public static let attributeNotFound = Self(rawValue: 0x0A)
    /// The attribute cannot be read using the ATT_READ_BLOB_REQ PDU.
    public static let attributeNotLong = Self(rawValue: 0x0B)
    /// The Encryption Key Size used for encrypting this link is too short.
    public static let encryptionKeySizeTooShort = Self(rawValue: 0x0C)
    /// The attribute value length is invalid for the operation.
    public static let invalidAttributeValueLength = Self(rawValue: 0x0D)
    /// The request has encountered an error that was unlikely, and therefore could not be completed.
    public static let unlikelyError = Self(rawValue: 0x0E)
    /// The attribute requires encryption before it can be read or written.
    public static let insufficientEncryption = Self(rawValue: 0x0F)
    /// The attribute type is not a supported grouping attribute as defined by a higher layer.
    public static let unsupportedGroupType = Self(rawValue: 0x10)
    /// Insufficient Resources to complete the request.
    public static let insufficientResources = Self(rawValue: 0x11)
    /// The server requests the client to rediscover the database.
    public static let databaseOutOfSync = Self(rawValue: 0x12)
    /// The attribute parameter value was not allowed.
    public static let valueNotAllowed = Self(rawValue: 0x13)

    /// The codes of Table 3.4 with their spec names, in numeric order.
    public static let documented: [(code: ATTErrorCode, name: String)] = [
        (.invalidHandle, "Invalid Handle"),
        (.readNotPermitted, "Read Not Permitted"),
        (.writeNotPermitted, "Write Not Permitted"),
        (.invalidPDU, "Invalid PDU"),
        (.insufficientAuthentication, "Insufficient Authentication"),
        (.requestNotSupported, "Request Not Supported"),
        (.invalidOffset, "Invalid Offset"),
        (.insufficientAuthorization, "Insufficient Authorization"),
        (.prepareQueueFull, "Prepare Queue Full"),
        (.attributeNotFound, "Attribute Not Found"),
        (.attributeNotLong, "Attribute Not Long"),
        (.encryptionKeySizeTooShort, "Encryption Key Size Too Short"),
        (.invalidAttributeValueLength, "Invalid Attribute Value Length"),
        (.unlikelyError, "Unlikely Error"),
        (.insufficientEncryption, "Insufficient Encryption"),
        (.unsupportedGroupType, "Unsupported Group Type"),
        (.insufficientResources, "Insufficient Resources"),
        (.databaseOutOfSync, "Database Out Of Sync"),
        (.valueNotAllowed, "Value Not Allowed"),
    ]

    /// An Application Error, 0x80–0x9F, defined by a higher-layer specification.
    public static func application(_ offset: UInt8) -> ATTErrorCode? {
        guard offset <= 0x1F else { return nil }
        return ATTErrorCode(rawValue: 0x80 | offset)
    }

    /// 0x80–0x9F: defined by a higher-layer specification.
    public var isApplicationError: Bool { (0x80...0x9F).contains(rawValue) }
    /// 0xE0–0xFF: Common Profile and Service Error Codes (Core Specification Supplement, Part B).
    public var isCommonProfileError: Bool { rawValue >= 0xE0 }
    /// The Table 3.4 name, or `nil` for application, profile and reserved codes.
    public var name: String? { Self.documented.first { $0.code == self }?.name }

    /// `Invalid PDU (0x04)`, `Application Error (0x80)`, `Common Profile Error (0xFD)` or `Reserved (0x20)`.
    public var description: String {
        let hex = "0x" + (rawValue < 0x10 ? "0" : "") + String(rawValue, radix: 16, uppercase: true)
        if let name { return "\(name) (\(hex))" }
        if isApplicationError { return "Application Error (\(hex))" }
        if isCommonProfileError { return "Common Profile Error (\(hex))" }
        return "Reserved (\(hex))"
    }
}
