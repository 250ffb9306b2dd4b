/// Authorization Data (0x0006), client → lock on the pairing GDIO, Smart Lock 1.0–4th gen (101 bytes):
///
/// | size | field |
/// |---|---|
/// | 32 | authenticator = HMAC(s, idType ‖ id ‖ name ‖ nA ‖ nK2); nK2 is not sent |
/// | 1 | ID type (app, bridge, fob, keypad) |
/// | 4 | app / bridge / fob / keypad id (u32 LE) |
/// | 32 | name |
/// | 32 | client nonce nA |
///
/// The length is checked first (`truncated`/`trailingBytes`, 0xFE), then an ID type other than 0–3
/// throws `badParameter` (answered with P_ERROR_BAD_PARAMETER 0x12).
/// Source: Nuki BLE API 2.1 §"Pairing" step 8, `docs/wire.md` §3.1. Ultra: ``UltraAuthorizationData``.
public struct AuthorizationData: NukiPayload {
    public static let command = Command.authorizationData
    public static let byteCount = 101

    public var authenticator: Bytes32
    public var idType: IDType
    public var id: UInt32
    public var name: FixedName
    public var clientNonce: Bytes32

    public init(authenticator: Bytes32, idType: IDType, id: UInt32, name: FixedName, clientNonce: Bytes32) {
        self.authenticator = authenticator
        self.idType = idType
        self.id = id
        self.name = name
        self.clientNonce = clientNonce
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(AuthorizationData.byteCount)
        authenticator = try r.readBytes32("authenticator")
        idType = IDType(rawValue: try r.readUInt8("ID type"))
        guard idType.isPairable else {
            throw WireError(.badParameter, "\(r.context): ID type \(idType) cannot pair")
        }
        id = try r.readUInt32("id")
        name = try r.readName(width: FixedName.nameWidth, "name")
        clientNonce = try r.readBytes32("client nonce")
    }

    public func encode(to w: inout WireWriter) {
        w.write(authenticator)
        w.write(idType)
        w.write(id)
        w.write(name)
        w.write(clientNonce)
    }
}
