/// Splits an outgoing message into indications: one when it fits in ATT_MTU − 3 bytes, else chunks
/// of ATT_MTU − 3 (`docs/wire.md` §1.2; open-source clients do not reassemble, so a negotiated MTU
/// large enough for the whole message matters).
public enum Fragmenter {
    /// Smallest ATT_MTU of LE (Bluetooth Core Vol 3 Part F §3.2.8).
    public static let minimumMTU = 23
    /// Largest ATT_MTU.
    public static let maximumMTU = 517

    /// The chunks of `message` for an ATT_MTU of `mtu` (clamped to 23…517).
    public static func chunks(_ message: [UInt8], mtu: Int) -> [[UInt8]] {
        let size = min(max(mtu, minimumMTU), maximumMTU) - 3
        guard message.count > size else { return [message] }
        return stride(from: 0, to: message.count, by: size).map { Array(message[$0..<min($0 + size, message.count)]) }
    }
}
