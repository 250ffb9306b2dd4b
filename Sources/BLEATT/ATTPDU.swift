/// One Attribute Protocol PDU (Bluetooth Core 5.4, Vol 3, Part F, §3.4): the opcode octet followed
/// by the parameters, every integer little-endian. Byte layouts are given per case, opcode first.
///
/// Decode with ``decode(_:mtu:)`` and encode with ``encoded()`` (`ATTPDU+Wire.swift`). The opcodes
/// in ``ATTOpcode/unsupported`` have no case: decoding them throws ``ATTError/Code/unsupportedOpcode``.
public enum ATTPDU: Hashable, Sendable {
    /// §3.4.1.1 ATT_ERROR_RSP: `01 | req opcode u8 | handle u16 | error code u8` (5 octets).
    case errorResponse(ATTErrorResponse)
    /// §3.4.2.1 ATT_EXCHANGE_MTU_REQ: `02 | Client Rx MTU u16` (3 octets).
    case exchangeMTURequest(clientRxMTU: UInt16)
    /// §3.4.2.2 ATT_EXCHANGE_MTU_RSP: `03 | Server Rx MTU u16` (3 octets).
    case exchangeMTUResponse(serverRxMTU: UInt16)
    /// §3.4.3.1 ATT_FIND_INFORMATION_REQ: `04 | start u16 | end u16` (5 octets).
    case findInformationRequest(ATTHandleRange)
    /// §3.4.3.2 ATT_FIND_INFORMATION_RSP: `05 | format u8 | (handle u16 | UUID)+`; format 0x01 pairs
    /// 16-bit UUIDs (4 octets each), 0x02 128-bit UUIDs (18 octets each). Encoding uses format 0x01
    /// when every type is 16-bit, else 0x02 with each type written in its 128-bit expansion.
    case findInformationResponse([ATTInformationEntry])
    /// §3.4.3.3 ATT_FIND_BY_TYPE_VALUE_REQ: `06 | start u16 | end u16 | type 16-bit UUID | value
    /// (0 … ATT_MTU − 7)`.
    case findByTypeValueRequest(ATTHandleRange, type: UInt16, value: [UInt8])
    /// §3.4.3.4 ATT_FIND_BY_TYPE_VALUE_RSP: `07 | (found handle u16 | group end handle u16)+`.
    case findByTypeValueResponse([ATTHandleRange])
    /// §3.4.4.1 ATT_READ_BY_TYPE_REQ: `08 | start u16 | end u16 | type (2 or 16 octets)` (7 or 21).
    case readByTypeRequest(ATTHandleRange, type: ATTUUID)
    /// §3.4.4.2 ATT_READ_BY_TYPE_RSP: `09 | length u8 | (handle u16 | value (length − 2))+`. Encoding
    /// writes the leading pairs whose value length equals the first one's, each value cut to 253
    /// octets — what §3.4.4.2 asks a server to send; later pairs of another length are left out.
    case readByTypeResponse([ATTAttributeData])
    /// §3.4.4.3 ATT_READ_REQ: `0A | handle u16` (3 octets).
    case readRequest(handle: UInt16)
    /// §3.4.4.4 ATT_READ_RSP: `0B | value (0 … ATT_MTU − 1)`.
    case readResponse(value: [UInt8])
    /// §3.4.4.5 ATT_READ_BLOB_REQ: `0C | handle u16 | value offset u16` (5 octets).
    case readBlobRequest(handle: UInt16, offset: UInt16)
    /// §3.4.4.6 ATT_READ_BLOB_RSP: `0D | part value (0 … ATT_MTU − 1)`.
    case readBlobResponse(value: [UInt8])
    /// §3.4.4.9 ATT_READ_BY_GROUP_TYPE_REQ: `10 | start u16 | end u16 | group type (2 or 16
    /// octets)` (7 or 21).
    case readByGroupTypeRequest(ATTHandleRange, groupType: ATTUUID)
    /// §3.4.4.10 ATT_READ_BY_GROUP_TYPE_RSP: `11 | length u8 | (handle u16 | end group handle u16 |
    /// value (length − 4))+`. Encoding keeps the leading entries of the first entry's length, values
    /// cut to 251 octets, as for ``readByTypeResponse(_:)``.
    case readByGroupTypeResponse([ATTGroupData])
    /// §3.4.5.1 ATT_WRITE_REQ: `12 | handle u16 | value (0 … ATT_MTU − 3)`.
    case writeRequest(handle: UInt16, value: [UInt8])
    /// §3.4.5.2 ATT_WRITE_RSP: `13` (1 octet).
    case writeResponse
    /// §3.4.5.3 ATT_WRITE_CMD: `52 | handle u16 | value (0 … ATT_MTU − 3)`.
    case writeCommand(handle: UInt16, value: [UInt8])
    /// §3.4.6.1 ATT_PREPARE_WRITE_REQ: `16 | handle u16 | offset u16 | part value (0 … ATT_MTU − 5)`.
    case prepareWriteRequest(ATTPreparedWrite)
    /// §3.4.6.2 ATT_PREPARE_WRITE_RSP: `17 | handle u16 | offset u16 | part value`, echoing the request.
    case prepareWriteResponse(ATTPreparedWrite)
    /// §3.4.6.3 ATT_EXECUTE_WRITE_REQ: `18 | flags u8` (2 octets; 0x00 cancel, 0x01 write).
    case executeWriteRequest(ATTExecuteWriteFlags)
    /// §3.4.6.4 ATT_EXECUTE_WRITE_RSP: `19` (1 octet).
    case executeWriteResponse
    /// §3.4.7.1 ATT_HANDLE_VALUE_NTF: `1B | handle u16 | value (0 … ATT_MTU − 3)`.
    case handleValueNotification(handle: UInt16, value: [UInt8])
    /// §3.4.7.2 ATT_HANDLE_VALUE_IND: `1D | handle u16 | value (0 … ATT_MTU − 3)`.
    case handleValueIndication(handle: UInt16, value: [UInt8])
    /// §3.4.7.3 ATT_HANDLE_VALUE_CFM: `1E` (1 octet).
    case handleValueConfirmation

    /// The opcode octet of this PDU.
    public var opcode: ATTOpcode {
        switch self {
        case .errorResponse: return .errorResponse
        case .exchangeMTURequest: return .exchangeMTURequest
        case .exchangeMTUResponse: return .exchangeMTUResponse
        case .findInformationRequest: return .findInformationRequest
        case .findInformationResponse: return .findInformationResponse
        case .findByTypeValueRequest: return .findByTypeValueRequest
        case .findByTypeValueResponse: return .findByTypeValueResponse
        case .readByTypeRequest: return .readByTypeRequest
        case .readByTypeResponse: return .readByTypeResponse
        case .readRequest: return .readRequest
        case .readResponse: return .readResponse
        case .readBlobRequest: return .readBlobRequest
        case .readBlobResponse: return .readBlobResponse
        case .readByGroupTypeRequest: return .readByGroupTypeRequest
        case .readByGroupTypeResponse: return .readByGroupTypeResponse
        case .writeRequest: return .writeRequest
        case .writeResponse: return .writeResponse
        case .writeCommand: return .writeCommand
        case .prepareWriteRequest: return .prepareWriteRequest
        case .prepareWriteResponse: return .prepareWriteResponse
        case .executeWriteRequest: return .executeWriteRequest
        case .executeWriteResponse: return .executeWriteResponse
        case .handleValueNotification: return .handleValueNotification
        case .handleValueIndication: return .handleValueIndication
        case .handleValueConfirmation: return .handleValueConfirmation
        }
    }

    /// Request, response, command, notification, indication or confirmation (§3.3.2).
    public var kind: ATTOpcodeKind { opcode.kind }
}
