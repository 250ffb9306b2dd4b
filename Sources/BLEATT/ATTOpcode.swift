/// An ATT PDU opcode, one octet (Bluetooth Core 5.4, Vol 3, Part F, §3.3.1 and the opcode summary
/// table of §3.4.8).
///
/// ```
/// bit 7                  bit 6          bits 5…0
/// Authentication         Command        Method
/// Signature Flag         Flag
/// ```
///
/// Any byte is representable, so a PDU with an undefined opcode can still be classified: a clear
/// command flag makes it a request a server answers with Request Not Supported, a set flag makes it a
/// command the server ignores (§3.3).
public struct ATTOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The opcode octet.
    public let rawValue: UInt8
    /// Any octet, defined by the spec or not.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// §3.4.1.1 ATT_ERROR_RSP.
    public static let errorResponse = Self(rawValue: 0x01)
    /// §3.4.2.1 ATT_EXCHANGE_MTU_REQ.
    public static let exchangeMTURequest = Self(rawValue: 0x02)
    /// §3.4.2.2 ATT_EXCHANGE_MTU_RSP.
    public static let exchangeMTUResponse = Self(rawValue: 0x03)
    /// §3.4.3.1 ATT_FIND_INFORMATION_REQ.
    public static let findInformationRequest = Self(rawValue: 0x04)
    /// §3.4.3.2 ATT_FIND_INFORMATION_RSP.
    public static let findInformationResponse = Self(rawValue: 0x05)
    /// §3.4.3.3 ATT_FIND_BY_TYPE_VALUE_REQ.
    public static let findByTypeValueRequest = Self(rawValue: 0x06)
    /// §3.4.3.4 ATT_FIND_BY_TYPE_VALUE_RSP.
    public static let findByTypeValueResponse = Self(rawValue: 0x07)
    /// §3.4.4.1 ATT_READ_BY_TYPE_REQ.
    public static let readByTypeRequest = Self(rawValue: 0x08)
    /// §3.4.4.2 ATT_READ_BY_TYPE_RSP.
    public static let readByTypeResponse = Self(rawValue: 0x09)
    /// §3.4.4.3 ATT_READ_REQ.
    public static let readRequest = Self(rawValue: 0x0A)
    /// §3.4.4.4 ATT_READ_RSP.
    public static let readResponse = Self(rawValue: 0x0B)
    /// §3.4.4.5 ATT_READ_BLOB_REQ.
    public static let readBlobRequest = Self(rawValue: 0x0C)
    /// §3.4.4.6 ATT_READ_BLOB_RSP.
    public static let readBlobResponse = Self(rawValue: 0x0D)
    /// §3.4.4.7 ATT_READ_MULTIPLE_REQ. Known but not supported: answered with Request Not Supported.
    public static let readMultipleRequest = Self(rawValue: 0x0E)
    /// §3.4.4.8 ATT_READ_MULTIPLE_RSP. Known but not supported.
    public static let readMultipleResponse = Self(rawValue: 0x0F)
    /// §3.4.4.9 ATT_READ_BY_GROUP_TYPE_REQ.
    public static let readByGroupTypeRequest = Self(rawValue: 0x10)
    /// §3.4.4.10 ATT_READ_BY_GROUP_TYPE_RSP.
    public static let readByGroupTypeResponse = Self(rawValue: 0x11)
    /// §3.4.5.1 ATT_WRITE_REQ.
    public static let writeRequest = Self(rawValue: 0x12)
    /// §3.4.5.2 ATT_WRITE_RSP.
    public static let writeResponse = Self(rawValue: 0x13)
    /// §3.4.6.1 ATT_PREPARE_WRITE_REQ.
    public static let prepareWriteRequest = Self(rawValue: 0x16)
    /// §3.4.6.2 ATT_PREPARE_WRITE_RSP.
    public static let prepareWriteResponse = Self(rawValue: 0x17)
    /// §3.4.6.3 ATT_EXECUTE_WRITE_REQ.
    public static let executeWriteRequest = Self(rawValue: 0x18)
    /// §3.4.6.4 ATT_EXECUTE_WRITE_RSP.
    public static let executeWriteResponse = Self(rawValue: 0x19)
    /// §3.4.7.1 ATT_HANDLE_VALUE_NTF.
    public static let handleValueNotification = Self(rawValue: 0x1B)
    /// §3.4.7.2 ATT_HANDLE_VALUE_IND.
    public static let handleValueIndication = Self(rawValue: 0x1D)
    /// §3.4.7.3 ATT_HANDLE_VALUE_CFM.
    public static let handleValueConfirmation = Self(rawValue: 0x1E)
    /// §3.4.4.11 ATT_READ_MULTIPLE_VARIABLE_REQ. Known but not supported: answered with Request Not
    /// Supported.
    public static let readMultipleVariableRequest = Self(rawValue: 0x20)
    /// §3.4.4.12 ATT_READ_MULTIPLE_VARIABLE_RSP. Known but not supported.
    public static let readMultipleVariableResponse = Self(rawValue: 0x21)
    /// §3.4.7.4 ATT_MULTIPLE_HANDLE_VALUE_NTF. Known but not supported.
    public static let multipleHandleValueNotification = Self(rawValue: 0x23)
    /// §3.4.5.3 ATT_WRITE_CMD.
    public static let writeCommand = Self(rawValue: 0x52)
    /// §3.4.5.4 ATT_SIGNED_WRITE_CMD. Known but not supported: a command, so it is ignored (§3.3).
    public static let signedWriteCommand = Self(rawValue: 0xD2)

    /// Bit 6: the PDU is a command (no response, no flow control).
    public static let commandFlag: UInt8 = 0x40
    /// Bit 7: a 12-octet Authentication Signature follows the parameters (§3.3.1).
    public static let authenticationSignatureFlag: UInt8 = 0x80

    /// Every opcode the Core spec defines, with its spec name, in numeric order.
    public static let documented: [(opcode: ATTOpcode, name: String)] = [
        (.errorResponse, "ATT_ERROR_RSP"),
        (.exchangeMTURequest, "ATT_EXCHANGE_MTU_REQ"),
        (.exchangeMTUResponse, "ATT_EXCHANGE_MTU_RSP"),
        (.findInformationRequest, "ATT_FIND_INFORMATION_REQ"),
        (.findInformationResponse, "ATT_FIND_INFORMATION_RSP"),
        (.findByTypeValueRequest, "ATT_FIND_BY_TYPE_VALUE_REQ"),
        (.findByTypeValueResponse, "ATT_FIND_BY_TYPE_VALUE_RSP"),
        (.readByTypeRequest, "ATT_READ_BY_TYPE_REQ"),
        (.readByTypeResponse, "ATT_READ_BY_TYPE_RSP"),
        (.readRequest, "ATT_READ_REQ"),
        (.readResponse, "ATT_READ_RSP"),
        (.readBlobRequest, "ATT_READ_BLOB_REQ"),
        (.readBlobResponse, "ATT_READ_BLOB_RSP"),
        (.readMultipleRequest, "ATT_READ_MULTIPLE_REQ"),
        (.readMultipleResponse, "ATT_READ_MULTIPLE_RSP"),
        (.readByGroupTypeRequest, "ATT_READ_BY_GROUP_TYPE_REQ"),
        (.readByGroupTypeResponse, "ATT_READ_BY_GROUP_TYPE_RSP"),
        (.writeRequest, "ATT_WRITE_REQ"),
        (.writeResponse, "ATT_WRITE_RSP"),
        (.prepareWriteRequest, "ATT_PREPARE_WRITE_REQ"),
        (.prepareWriteResponse, "ATT_PREPARE_WRITE_RSP"),
        (.executeWriteRequest, "ATT_EXECUTE_WRITE_REQ"),
        (.executeWriteResponse, "ATT_EXECUTE_WRITE_RSP"),
        (.handleValueNotification, "ATT_HANDLE_VALUE_NTF"),
        (.handleValueIndication, "ATT_HANDLE_VALUE_IND"),
        (.handleValueConfirmation, "ATT_HANDLE_VALUE_CFM"),
        (.readMultipleVariableRequest, "ATT_READ_MULTIPLE_VARIABLE_REQ"),
        (.readMultipleVariableResponse, "ATT_READ_MULTIPLE_VARIABLE_RSP"),
        (.multipleHandleValueNotification, "ATT_MULTIPLE_HANDLE_VALUE_NTF"),
        (.writeCommand, "ATT_WRITE_CMD"),
        (.signedWriteCommand, "ATT_SIGNED_WRITE_CMD"),
    ]

    /// The opcodes the Core spec defines that `BLEATT` does not implement. A request among them is
    /// answered with Request Not Supported; the command among them is ignored (§3.3).
    public static let unsupported: Set<ATTOpcode> = [
        .readMultipleRequest, .readMultipleResponse, .readMultipleVariableRequest,
        .readMultipleVariableResponse, .multipleHandleValueNotification, .signedWriteCommand,
    ]

    /// Bits 5…0.
    public var method: UInt8 { rawValue & 0x3F }
    /// Bit 6 (§3.3.1): set on commands.
    public var isCommand: Bool { rawValue & Self.commandFlag != 0 }
    /// Bit 7 (§3.3.1): set when an Authentication Signature follows.
    public var hasAuthenticationSignature: Bool { rawValue & Self.authenticationSignatureFlag != 0 }
    /// True when the Core spec defines this opcode.
    public var isDocumented: Bool { Self.documented.contains { $0.opcode == self } }
    /// The spec name (`ATT_READ_REQ`), or `nil` for an undefined opcode.
    public var name: String? { Self.documented.first { $0.opcode == self }?.name }

    /// How the opcode takes part in the protocol (§3.3.2, §3.4.9). An undefined opcode is a
    /// ``ATTOpcodeKind/command`` when bit 6 is set, else a ``ATTOpcodeKind/request`` (§3.3).
    public var kind: ATTOpcodeKind {
        switch self {
        case .errorResponse, .exchangeMTUResponse, .findInformationResponse, .findByTypeValueResponse,
            .readByTypeResponse, .readResponse, .readBlobResponse, .readMultipleResponse,
            .readByGroupTypeResponse, .writeResponse, .prepareWriteResponse, .executeWriteResponse,
            .readMultipleVariableResponse:
            return .response
        case .handleValueNotification, .multipleHandleValueNotification: return .notification
        case .handleValueIndication: return .indication
        case .handleValueConfirmation: return .confirmation
        default: return isCommand ? .command : .request
        }
    }

    /// The response opcode that answers this request (§3.4.9), or `nil` when this is not a request
    /// the Core spec defines.
    public var responseOpcode: ATTOpcode? {
        switch self {
        case .exchangeMTURequest, .findInformationRequest, .findByTypeValueRequest, .readByTypeRequest,
            .readRequest, .readBlobRequest, .readMultipleRequest, .readByGroupTypeRequest, .writeRequest,
            .prepareWriteRequest, .executeWriteRequest, .readMultipleVariableRequest:
            return ATTOpcode(rawValue: rawValue &+ 1)
        default: return nil
        }
    }

    /// `ATT_READ_REQ (0x0A)`, or `0x3F` for an undefined opcode.
    public var description: String {
        let hex = "0x" + (rawValue < 0x10 ? "0" : "") + String(rawValue, radix: 16, uppercase: true)
        guard let name else { return hex }
        return "\(name) (\(hex))"
    }
}
