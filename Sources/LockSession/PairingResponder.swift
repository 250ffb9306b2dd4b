import LockCore
import LockCrypto
import LockWire

/// The lock's side of pairing on the pairing GDIO, for one connection (Nuki BLE API 2.1 §"Pairing",
/// `docs/wire.md` §3.1–§3.2), for the ID types app, bridge, fob and keypad.
///
/// Steps: Request Data(Public Key) → Public Key; client Public Key → Challenge nK1; Authorization
/// Authenticator (verified) → Challenge nK2; Authorization Data (verified) → Authorization-ID with
/// its authenticator; Authorization-ID Confirmation (verified) → the authorization is stored and
/// Status COMPLETE. Every authenticator is checked in constant time. Any message out of order, any
/// failed check, resets the state to the start, so a half-done pairing never grants anything.
struct PairingResponder {
    enum Step {
        case idle
        case sentPublicKey
        case sentChallenge1(shared: SharedKey, clientKey: Bytes32, nonce: Bytes32)
        case sentChallenge2(shared: SharedKey, nonce: Bytes32)
        case sentAuthorizationID(shared: SharedKey, data: AuthorizationData, authID: UInt32, nonce: Bytes32)
    }

    private(set) var step: Step = .idle

    /// What a pairing message leads to.
    enum Result {
        /// Send these plain messages back.
        case reply([NukiMessage])
        /// Pairing finished: store `key` for `authorization`, then send Status COMPLETE.
        case paired(Authorization, SharedKey, [LockOutput])
        /// Refuse with this Error Report; the state is reset.
        case refuse(NukiErrorCode, Command, String)
    }

    mutating func reset() {
        if case .sentChallenge1(let s, _, _) = step { s.wipe() }
        if case .sentChallenge2(let s, _) = step { s.wipe() }
        if case .sentAuthorizationID(let s, _, _, _) = step { s.wipe() }
        step = .idle
    }

    mutating func receive(
        _ message: NukiMessage, machine: inout LockMachine, lockKeyPair: KeyPair, lockUUID: LockUUID,
        random: any RandomSource, at now: LockInstant, outsidePairingMode: Bool = false, authenticatorPrefixOnly: Bool = false
    ) -> Result {
        switch (step, message) {
        case (_, .requestData(let request)) where request.requestedCommand == .publicKey:
            reset()
            // `outsidePairingMode`: Weakness.pairingOutsidePairingMode of a weakened lock only.
            guard machine.isPairingMode(at: now) || outsidePairingMode else {
                return .refuse(.notPairing, .requestData, "public key requested outside pairing mode")
            }
            step = .sentPublicKey
            return .reply([.publicKey(PublicKey(key: lockKeyPair.publicKey))])

        case (.sentPublicKey, .publicKey(let clientKey)):
            let shared: SharedKey
            do {
                shared = try SharedKey(ownKeyPair: lockKeyPair, peerPublicKey: clientKey.key)
            } catch {
                reset()
                return .refuse(.pairingBadParameter, .publicKey, "client public key refused: \(error.reason)")
            }
            let nonce = random.bytes32()
            step = .sentChallenge1(shared: shared, clientKey: clientKey.key, nonce: nonce)
            return .reply([.challenge(Challenge(nonce: nonce))])

        case (.sentChallenge1(let shared, let clientKey, let nonce1), .authorizationAuthenticator(let message)):
            // `authenticatorPrefixOnly`: Weakness.authenticatorPrefixCompare of a weakened lock only.
            let verified = authenticatorPrefixOnly
                ? ConstantTime.equals(
                    Array(message.authenticator.bytes.prefix(4)),
                    Array(PairingAuthenticator.authorizationAuthenticator(
                        key: shared, clientPublicKey: clientKey, lockPublicKey: lockKeyPair.publicKey, challenge: nonce1).bytes.prefix(4)))
                : PairingAuthenticator.verifyAuthorizationAuthenticator(
                    message.authenticator, key: shared, clientPublicKey: clientKey, lockPublicKey: lockKeyPair.publicKey,
                    challenge: nonce1)
            guard verified else {
                reset()
                return .refuse(.badAuthenticator, .authorizationAuthenticator, "authorization authenticator does not verify")
            }
            let nonce2 = random.bytes32()
            step = .sentChallenge2(shared: shared, nonce: nonce2)
            return .reply([.challenge(Challenge(nonce: nonce2))])

        case (.sentChallenge2(let shared, let nonce2), .authorizationData(let data)):
            let verified = PairingAuthenticator.verifyAuthorizationData(
                data.authenticator, key: shared, idType: data.idType, id: data.id, name: data.name,
                clientNonce: data.clientNonce, challenge: nonce2)
            guard verified else {
                reset()
                return .refuse(.badAuthenticator, .authorizationData, "authorization data authenticator does not verify")
            }
            guard data.name.isWellFormed else {
                reset()
                return .refuse(.pairingBadParameter, .authorizationData, "name is not well-formed UTF-8")
            }
            guard machine.isPairingMode(at: now) || outsidePairingMode else {
                reset()
                return .refuse(.notPairing, .authorizationData, "pairing mode ended")
            }
            let authID = machine.reserveAuthID()
            let nonce3 = random.bytes32()
            let authenticator = PairingAuthenticator.authorizationID(
                key: shared, authID: authID, uuid: lockUUID, lockNonce: nonce3, clientNonce: data.clientNonce)
            step = .sentAuthorizationID(shared: shared, data: data, authID: authID, nonce: nonce3)
            return .reply([.authorizationID(AuthorizationID(authenticator: authenticator, authID: authID, lockUUID: lockUUID, nonce: nonce3))])

        case (.sentAuthorizationID(let shared, let data, let authID, let nonce3), .authorizationIDConfirmation(let confirmation)):
            guard confirmation.authID == authID,
                PairingAuthenticator.verifyAuthorizationIDConfirmation(
                    confirmation.authenticator, key: shared, authID: authID, lockNonce: nonce3)
            else {
                reset()
                return .refuse(.badAuthenticator, .authorizationIDConfirmation, "confirmation does not verify")
            }
            do {
                let (authorization, outputs) = try machine.addAuthorization(
                    authID: authID, idType: data.idType, clientID: data.id, name: data.name, at: now,
                    outsidePairingMode: outsidePairingMode)
                step = .idle
                return .paired(authorization, shared, outputs)
            } catch {
                reset()
                return .refuse(error.code, .authorizationIDConfirmation, error.reason)
            }

        default:
            let command = message.command
            reset()
            return .refuse(.unknown, command, "\(command) is out of order in pairing")
        }
    }
}
