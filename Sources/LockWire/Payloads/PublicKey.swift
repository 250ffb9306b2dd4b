/// Public Key (0x0003), both directions on the pairing GDIO: an X25519 public key (32 bytes).
///
/// Source: Nuki BLE API 2.1 §"Pairing" steps 3–4, `docs/wire.md` §3.1.
public struct PublicKey: NukiPayload {
    public static let command = Command.publicKey
    public var key: Bytes32

    public init(key: Bytes32) { self.key = key }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        key = try r.readBytes32("public key")
    }

    public func encode(to w: inout WireWriter) { w.write(key) }
}
