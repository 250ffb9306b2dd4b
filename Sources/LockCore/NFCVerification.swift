/// What the session found out about an NFC Keypad Action before the machine sees it: the machine
/// has no keys, the session has them and knows when it issued the challenge.
public struct NFCVerification: Hashable, Sendable {
    /// The card's authenticator is HMAC(card key of the claimed credential, challenge ‖ id ‖
    /// counter); false also when the lock holds no key for that credential.
    public var authenticatorValid: Bool
    /// Milliseconds between the lock issuing the challenge and the Keypad Action arriving.
    public var challengeAgeMilliseconds: Int64

    public init(authenticatorValid: Bool, challengeAgeMilliseconds: Int64) {
        self.authenticatorValid = authenticatorValid
        self.challengeAgeMilliseconds = challengeAgeMilliseconds
    }
}
