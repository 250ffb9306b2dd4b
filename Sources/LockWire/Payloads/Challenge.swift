/// Challenge (0x0004), lock → client, plain during pairing and encrypted after: a 32-byte random
/// nonce nK that the client's next command must carry.
///
/// Source: Nuki BLE API 2.1 §"Challenge", `docs/wire.md` §3.1 and §4.1.
public struct Challenge: NukiPayload {
    public static let command = Command.challenge
    public var nonce: Bytes32

    public init(nonce: Bytes32) { self.nonce = nonce }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        nonce = try r.readBytes32("challenge nonce")
    }

    public func encode(to w: inout WireWriter) { w.write(nonce) }
}
