import LockCrypto
import LockWire

/// The card's answer to AUTHENTICATE: credential id u32 LE, counter u32 LE, authenticator (32),
/// where authenticator = HMAC-SHA256(card key, challenge ‖ credential id u32 LE ‖ counter u32 LE).
///
/// The counter goes up by one on every answer; the lock keeps the highest one it accepted per
/// credential and refuses anything not above it (`docs/attacks.md` F-03).
public struct NFCCardAssertion: Hashable, Sendable {
    /// The credential id the card answers for (u32 LE on the wire).
    public var credentialID: UInt32
    /// The card's tap counter for this answer (u32 LE on the wire), one above its previous answer.
    public var counter: UInt32
    /// HMAC-SHA256(card key, challenge ‖ credential id u32 LE ‖ counter u32 LE), 32 bytes.
    public var authenticator: Bytes32

    /// An assertion from its fields, as decoded; not verified (see ``verifies(key:challenge:)``).
    public init(credentialID: UInt32, counter: UInt32, authenticator: Bytes32) {
        self.credentialID = credentialID
        self.counter = counter
        self.authenticator = authenticator
    }

    /// The assertion a card holding `key` makes for `challenge`.
    public init(key: NFCCardKey, credentialID: UInt32, counter: UInt32, challenge: [UInt8]) {
        self.credentialID = credentialID
        self.counter = counter
        authenticator = HMACSHA256.authenticate(key: key.secret, parts: Self.macInput(challenge: challenge, credentialID: credentialID, counter: counter))
    }

    /// Whether the authenticator is right for `challenge` under `key` (constant-time compare).
    public func verifies(key: NFCCardKey, challenge: [UInt8]) -> Bool {
        HMACSHA256.verify(authenticator, key: key.secret, parts: Self.macInput(challenge: challenge, credentialID: credentialID, counter: counter))
    }

    static func macInput(challenge: [UInt8], credentialID: UInt32, counter: UInt32) -> [[UInt8]] {
        var w = WireWriter()
        w.write(credentialID)
        w.write(counter)
        return [challenge, w.bytes]
    }

    /// Decodes the 40 data bytes of the AUTHENTICATE response.
    public init(decoding data: [UInt8]) throws(NFCError) {
        var r = WireReader(data, context: "NFC assertion")
        do {
            credentialID = try r.readUInt32("credential id")
            counter = try r.readUInt32("counter")
            authenticator = try r.readBytes32("authenticator")
            try r.finish()
        } catch {
            throw NFCError(.badResponse, error.reason)
        }
    }

    /// The 40 data bytes of the AUTHENTICATE response: credential id u32 LE, counter u32 LE,
    /// authenticator (32). The inverse of ``init(decoding:)``.
    public var encoded: [UInt8] {
        var w = WireWriter()
        w.write(credentialID)
        w.write(counter)
        w.write(authenticator)
        return w.bytes
    }
}
