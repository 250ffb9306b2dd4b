import ClientFuzzing
import LockCrypto
import LockSession
import LockWire
import Testing

/// The structure-aware reply mutations (issue 14 item 5): exact bytes, valid framing after the
/// change, and the verdict on what a correct client must refuse. Expected plain frames were
/// computed with an independent CRC-16/CCITT-FALSE (Python, Tests/ClientFuzzingTests/Clients).
@Suite struct ReplyMutationTests {
    /// Public Key (0x0003) with the key 32 × 0x11.
    static let publicKey = [UInt8](Hex.decode("03001111111111111111111111111111111111111111111111111111111111111111B934") ?? [])

    @Test(arguments: [
        (ReplyMutation.payloadByte(offset: 0, value: 0xFF), "0300FF111111111111111111111111111111111111111111111111111111111111114CE5"),
        (.payloadByte(offset: -32, value: 0xFF), "0300FF111111111111111111111111111111111111111111111111111111111111114CE5"),
        (.payloadTruncated(bytes: 1), "030011111111111111111111111111111111111111111111111111111111111111B781"),
        (.payloadExtended(bytes: [0xAB]), "03001111111111111111111111111111111111111111111111111111111111111111AB56CB"),
        (.command(0x0007), "070011111111111111111111111111111111111111111111111111111111111111116F64"),
        (.crcFlipped, "03001111111111111111111111111111111111111111111111111111111111111111B935"),
    ])
    func plainFrameExactBytes(mutation: ReplyMutation, expected: String) throws {
        #expect(Self.publicKey.count == 36)
        let mutated = try #require(mutation.apply(toPlain: Self.publicKey))
        #expect(Hex.encode(mutated) == expected)
    }

    @Test func plainFrameWithABadCRCIsNotMutated() {
        var bad = Self.publicKey
        bad[35] ^= 0x80
        #expect(ReplyMutation.payloadByte(offset: 0, value: 0).apply(toPlain: bad) == nil)
    }

    /// An encrypted reply is re-sealed under the real key with the next 24 bytes of the random
    /// stream as nonce: MAC, inner auth id and CRC verify; only the payload changed.
    @Test func encryptedFrameIsResealedValid() throws {
        let key = try SharedKey(rawBytes: [UInt8](repeating: 0x42, count: 32))
        let status = try EncryptedMessageCodec.seal(
            authID: 7, command: .status, payload: [0x00], key: key, random: SeededRandomSource(seed: 1))
        let random = SeededRandomSource(seed: 99)
        let nonce = SeededRandomSource(seed: 99).bytes(count: 24)
        let mutated = try #require(ReplyMutation.payloadByte(offset: 0, value: 0x01).apply(toEncrypted: status, random: random) { $0 == 7 ? key : nil })
        #expect(Array(mutated.prefix(24)) == nonce)
        #expect(mutated.count == status.count)
        let opened = try EncryptedMessageCodec.open(mutated) { $0 == 7 ? key : nil }
        #expect(opened == EncryptedPlaintext(authID: 7, command: .status, payload: [0x01]))
        // Extended by two bytes: the length field says so, and it opens.
        let longer = try #require(ReplyMutation.payloadExtended(bytes: [0xAA, 0xBB]).apply(toEncrypted: status, random: random) { _ in key })
        #expect(longer.count == status.count + 2)
        #expect(Int(longer[28]) | Int(longer[29]) << 8 == longer.count - 30)
        #expect(try EncryptedMessageCodec.open(longer) { _ in key }.payload == [0x00, 0xAA, 0xBB])
        // The CRC flipped under a valid MAC: the MAC verifies, the CRC check refuses.
        let badCRC = try #require(ReplyMutation.crcFlipped.apply(toEncrypted: status, random: random) { _ in key })
        #expect(throws: WireError.self) { try EncryptedMessageCodec.open(badCRC) { _ in key } }
        #expect(try EncryptedMessageCodec.open(badCRC, checks: [.innerAuthID]) { _ in key }.payload == [0x00])
        // No key: nothing is made.
        #expect(ReplyMutation.crcFlipped.apply(toEncrypted: status, random: random) { _ in nil } == nil)
    }

    /// Layout and framing must be refused; another valid value in a valid layout may be accepted.
    @Test func mustRefuseVerdicts() {
        let status = (command: Command.status, payload: [UInt8]([0x00]))
        #expect(ReplyMutation.crcFlipped.mustRefuse(original: status, channel: .encrypted))
        #expect(ReplyMutation.payloadTruncated(bytes: 1).mustRefuse(original: status, channel: .encrypted))
        #expect(ReplyMutation.payloadExtended(bytes: [0]).mustRefuse(original: status, channel: .encrypted))
        #expect(ReplyMutation.command(0x000C).mustRefuse(original: status, channel: .encrypted), "a 1-byte Keyturner States")
        #expect(!ReplyMutation.payloadByte(offset: 0, value: 0x01).mustRefuse(original: status, channel: .encrypted), "ACCEPTED instead of COMPLETE")
        #expect(!ReplyMutation.payloadByte(offset: 0, value: 0x00).mustRefuse(original: status, channel: .encrypted), "no change")
        #expect(ReplyMutation.command(0x0012).mustRefuse(original: status, channel: .encrypted), "a 1-byte Error Report is too short")
        let challenge = (command: Command.challenge, payload: [UInt8](repeating: 0x33, count: 32))
        #expect(!ReplyMutation.payloadByte(offset: 5, value: 0).mustRefuse(original: challenge, channel: .plain), "another nonce")
        let authorizationID = (command: Command.authorizationID, payload: [UInt8](repeating: 0x44, count: 84))
        #expect(ReplyMutation.payloadByte(offset: 40, value: 0).mustRefuse(original: authorizationID, channel: .plain), "the authenticator covers it")
    }

    @Test func fieldsAndLabels() {
        #expect(ReplyMutation.payloadByte(offset: 3, value: 0xFF).field == "payload-byte")
        #expect(ReplyMutation.payloadByte(offset: 3, value: 0xFF).label == "payload byte 3 = 0xFF")
        #expect(ReplyMutation.payloadExtended(bytes: Array(0..<10)).label == "payload extended by 10 bytes 0001020304050607…")
        #expect(ReplyMutation.command(0x000C).label == "command id → KEYTURNER_STATES(0x000C)")
        #expect(HostileFault.mutation(.crcFlipped).field == "crc")
        #expect(HostileFault.lengthDelta(-1).label == "length field -1")
        #expect(HostilePlan(fault: .badMAC, message: 5).label == "MAC bit flipped at message 5 (and its command again)")
        #expect(HostilePlan(fault: .split([1, 7]), scope: .every).label == "indications split into 1,7 bytes")
    }

    /// The same stream and profile give the same plan; the draws cover every kind of fault.
    @Test func randomPlansAreDeterministicAndCoverEveryKind() {
        let profile = HostilePlan.genericProfile
        let first = (0..<200).map { HostilePlan.random(SeededRandomSource(seed: UInt64($0)), profile: profile) }
        let again = (0..<200).map { HostilePlan.random(SeededRandomSource(seed: UInt64($0)), profile: profile) }
        #expect(first == again)
        let fields = Set(first.map(\.fault.field))
        for field in ["length-field", "mac", "auth-id", "crc", "oversize-indication", "truncated-frame", "command", "payload-byte",
            "payload-truncated", "payload-extended", "indication-split", "mtu-refused", "mtu-23"]
        {
            #expect(fields.contains(field), "\(field) never drawn in 200 plans")
        }
        // Frame modes only ever target encrypted messages (5… in the generic profile).
        for plan in first where plan.fault.encryptedOnly { #expect(plan.message >= 5) }
    }
}
