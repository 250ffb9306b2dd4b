import LockCore
import LockCrypto
import LockFuzzing
import LockNFC
import LockWire
import Testing

/// The reference models of keypadEntry's, fobNFC's and pairingResponder's oracles (issue 19): exact
/// predictions, and agreement with the honest code on the seeds.
@Suite struct ModelVerdictTests {
    static let key = NFCCardKey.derive(from: FuzzFixtures.sharedKey()!, credentialID: 0x0F0B)
    static let select = LatchkeyNFC.selectCommand.encoded
    static let challenge = [UInt8](0..<32)
    static let authenticate = LatchkeyNFC.authenticateCommand(challenge: challenge).encoded

    @Test func cardModelPredictsExactAnswers() {
        var model = NFCCardModel(credentialID: 0x0F0B, key: Self.key, counter: 0)
        var card = NFCCardApplication(credentialID: 0x0F0B, key: Self.key)
        let unselected = model.respond(to: Self.authenticate)
        #expect(unselected.answer == [0x69, 0x82] && unselected.rule == "authenticate-unselected")
        let selected = model.respond(to: Self.select)
        #expect(selected.answer == [0x01, 0x0B, 0x0F, 0x00, 0x00, 0x90, 0x00] && selected.rule == "select")
        let answer = model.respond(to: Self.authenticate)
        #expect(answer.rule == "authenticate")
        #expect(answer.answer.count == 42)
        #expect(Array(answer.answer.prefix(8)) == [0x0B, 0x0F, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])
        #expect(Array(answer.answer.suffix(2)) == [0x90, 0x00])
        // The honest card gives the same bytes.
        _ = card.respond(to: Self.select) as [UInt8]
        #expect(card.respond(to: Self.authenticate) as [UInt8] == answer.answer)
        // Another AID deselects: AUTHENTICATE is 69 82 again, and the counter stays at 1.
        var other = LatchkeyNFC.aid
        other[other.count - 1] ^= 0xFF
        let otherSelect = CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00, data: other, le: 256).encoded
        #expect(model.respond(to: otherSelect) == ([0x6A, 0x82], "select-other-aid"))
        #expect(model.respond(to: Self.authenticate) == ([0x69, 0x82], "authenticate-unselected"))
        #expect(model.counter == 1)
        // The other status words.
        #expect(model.respond(to: [0x00]) == ([0x67, 0x00], "malformed"))
        #expect(model.respond(to: [0x00, 0xA4, 0x04, 0x01]) == ([0x6A, 0x86], "select-p1p2"))
        #expect(model.respond(to: [0x80, 0xB0, 0x00, 0x00]) == ([0x6D, 0x00], "instruction"))
        #expect(model.respond(to: [0x90, 0xA1, 0x00, 0x00]) == ([0x6E, 0x00], "class"))
        var exhausted = NFCCardModel(credentialID: 0x0F0B, key: Self.key, counter: UInt32.max)
        _ = exhausted.respond(to: Self.select)
        #expect(exhausted.respond(to: Self.authenticate) == ([0x69, 0x83], "counter-exhausted"))
    }

    static func pairingModel() -> PairingModel {
        PairingModel(table: [(.app, 500), (.keypad, 501)], maxAuthorizations: 3, pairingModeMilliseconds: 300_000, pairingEnabled: true)
    }

    static func expectation(_ pending: PairingModel.Pending) -> String { "\(pending.rule) \(pending.expectation)" }

    @Test func pairingModelPredictsExactCodes() {
        var model = Self.pairingModel()
        let now = SessionFixture.start
        let requestPublicKey: [UInt8] = [0x01, 0x00, 0x03, 0x00, 0x27, 0xA7]
        #expect(Self.expectation(model.receive(requestPublicKey, on: 1, genuine: true, at: now)) == "public-key-request refused P_ERROR_NOT_PAIRING(0x10)")
        model.pressButton(heldMilliseconds: 4_900, at: now)
        #expect(!model.isPairingMode(at: now))
        model.pressButton(heldMilliseconds: 5_000, at: now)
        #expect(model.isPairingMode(at: now) && !model.isPairingMode(at: now.adding(milliseconds: 300_000)))
        let accepted = model.receive(requestPublicKey, on: 1, genuine: false, at: now)
        #expect(Self.expectation(accepted) == "public-key-request accepted")
        #expect(model.confirm(accepted, refused: nil) == nil)
        // An Authorization Authenticator where the client's Public Key belongs: out of order.
        let authenticator = PlainFrame(command: .authorizationAuthenticator, payload: [UInt8](repeating: 0, count: 32)).encoded()
        let outOfOrder = model.receive(authenticator, on: 1, genuine: false, at: now)
        #expect(Self.expectation(outOfOrder) == "out-of-order refused ERROR_UNKNOWN(0xFF)")
        // The lock answering otherwise is the finding.
        #expect(model.confirm(outOfOrder, refused: .badAuthenticator)?.rule == "out-of-order")
        var broken = requestPublicKey
        broken[5] ^= 1
        #expect(Self.expectation(model.receive(broken, on: 1, genuine: false, at: now)) == "frame refused ERROR_BAD_CRC(0xFD)")
        #expect(Self.expectation(model.receive([0x01, 0x00, 0x03], on: 1, genuine: false, at: now)) == "frame refused ERROR_BAD_LENGTH(0xFE)")
    }

    @Test func honestCodeAgreesWithTheModelsOnEverySeed() {
        for seed in KeypadEntryHarness.seeds() { #expect(FuzzTarget.keypadEntry.check(seed[...]) == nil) }
        for seed in FobNFCHarness.seeds() { #expect(FuzzTarget.fobNFC.check(seed[...]) == nil) }
        for seed in SessionSeeds.pairing(transcript: [:]) { #expect(FuzzTarget.pairingResponder.check(seed[...]) == nil) }
    }
}
