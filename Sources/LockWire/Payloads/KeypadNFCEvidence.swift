/// The NFC card's answer as the keypad relays it in Keypad Action (0x0048) with source
/// ``KeypadActionSource/nfc`` (Latchkey extension, README §"NFC fob extension"), after the
/// challenge: counter u32 LE, authenticator (32), UID length u8 (0–``maxUIDLength``), UID.
///
/// authenticator = HMAC-SHA256(card key, challenge ‖ credential id u32 LE ‖ counter u32 LE), the
/// challenge being the Keypad Action's own nK. The UID is for the log only and never
/// authenticates anything (`docs/attacks.md` F-01); a UID-only tag is relayed with credential id 0,
/// counter 0 and a zero authenticator, so the lock logs the attempt and refuses it.
public struct KeypadNFCEvidence: Hashable, Sendable {
    /// Longest ISO/IEC 14443-3 UID (triple size).
    public static let maxUIDLength = 10

    public var counter: UInt32
    public var authenticator: Bytes32
    public var uid: [UInt8]

    public init(counter: UInt32, authenticator: Bytes32, uid: [UInt8]) {
        self.counter = counter
        self.authenticator = authenticator
        self.uid = Array(uid.prefix(Self.maxUIDLength))
    }

    public init(from r: inout WireReader) throws(WireError) {
        counter = try r.readUInt32("counter")
        authenticator = try r.readBytes32("authenticator")
        let length = Int(try r.readUInt8("UID length"))
        guard length <= Self.maxUIDLength else {
            throw WireError(.lengthOutOfRange, "\(r.context): UID length \(length) exceeds \(Self.maxUIDLength)")
        }
        uid = try r.readArray(length, "UID")
    }

    public func encode(to w: inout WireWriter) {
        w.write(counter)
        w.write(authenticator)
        w.write(UInt8(uid.count))
        w.write(contentsOf: uid)
    }

    /// True for what a tag that only has a UID produces: no credential, zero authenticator.
    public var isUIDOnly: Bool { counter == 0 && authenticator == .zero }
}
