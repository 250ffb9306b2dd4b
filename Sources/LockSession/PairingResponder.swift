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
///
/// Before an authorization id is reserved the lock checks that it could store the pairing
/// (``LockCore/LockMachine/pairingRefusal(idType:clientID:at:outsidePairingMode:)``): a full table
/// is refused at Authorization Data with P_ERROR_MAX_USER (0x13), no id handed out (issue 18).
///
/// Smart Lock Ultra / Go 5.x (`ultra`, `docs/wire.md` §3.4, pyNukiBT 0.0.20's Ultra pairing):
/// after the Authorization Authenticator the lock sends Authorization Info (0x004C, plain, "security
/// PIN is set", e.g. `4C 00 01 71 B4`) instead of Challenge nK2. The client then writes Authorization
/// Data **encrypted** under s (the §2.2 frame, inner auth id included, as pyNukiBT sends it) to the
/// pairing GDIO: app id u32, name[32], security PIN u32. The lock checks, in order: the frame (MAC,
/// CRC, inner = clear auth id), that it carries Authorization Data of 40 bytes, pairing mode, the
/// security PIN (K_ERROR_BAD_PIN 0x21, counted toward the PIN lock-out, K_ERROR_TOO_MANY_PIN_ATTEMPTS
/// 0x28), the name, the table; then stores the authorization as ID type App (the Ultra layout
/// carries no ID type) and answers Authorization-ID (auth id u32 + lock UUID[16]) encrypted on the
/// pairing GDIO under the auth id the client used. No confirmation and no Status follow. Refusals
/// at this step are encrypted Error Reports on the pairing GDIO (the client decrypts the message
/// that follows its Authorization Data); one that cannot name a command (the frame did not open)
/// names 0x0000 (`docs/wire.md` §13). The clear auth id is not checked: pyNukiBT sends the bytes
/// `7F FF FF FF` (its reading of [S23]'s 0x7FFFFFFF), NukiBleEsp32 its app id (§3.4 UNSURE); only the
/// MAC under s authenticates.
struct PairingResponder {
    enum Step {
        case idle
        case sentPublicKey
        case sentChallenge1(shared: SharedKey, clientKey: Bytes32, nonce: Bytes32)
        case sentChallenge2(shared: SharedKey, nonce: Bytes32)
        case sentAuthorizationID(shared: SharedKey, data: AuthorizationData, authID: UInt32, nonce: Bytes32)
        /// Ultra: Authorization Info sent; the next write is the encrypted Authorization Data.
        case sentAuthorizationInfo(shared: SharedKey)
    }

    /// The clear and inner auth id of the Ultra's encrypted Authorization Data as pyNukiBT 0.0.20
    /// sends it (bytes `7F FF FF FF`, ``ClientSessionEngine/ultraPairingAuthID``); the lock answers
    /// under it when a write too short to carry one was refused.
    static let ultraPairingAuthID: UInt32 = ClientSessionEngine.ultraPairingAuthID

    /// Whether the next write on the pairing GDIO is the Ultra's encrypted Authorization Data.
    var awaitsSealedAuthorizationData: Bool {
        if case .sentAuthorizationInfo = step { return true }
        return false
    }

    private(set) var step: Step = .idle

    /// What a pairing message leads to.
    enum Result {
        /// Send these plain messages back.
        case reply([NukiMessage])
        /// Pairing finished: store `key` for `authorization`, then send `reply` (the whole frame:
        /// plain Status COMPLETE, or the Ultra's encrypted Authorization-ID) on the pairing GDIO.
        case paired(Authorization, SharedKey, [LockOutput], reply: [UInt8])
        /// Refuse with this plain Error Report; the state is reset.
        case refuse(NukiErrorCode, Command, String)
        /// Refuse with an Error Report already sealed under the pairing's key (`frame`); the state is reset.
        case refuseSealed(NukiErrorCode, Command, String, frame: [UInt8])
    }

    mutating func reset() {
        if case .sentChallenge1(let s, _, _) = step { s.wipe() }
        if case .sentChallenge2(let s, _) = step { s.wipe() }
        if case .sentAuthorizationID(let s, _, _, _) = step { s.wipe() }
        if case .sentAuthorizationInfo(let s) = step { s.wipe() }
        step = .idle
    }

    mutating func receive(
        _ message: NukiMessage, machine: inout LockMachine, lockKeyPair: KeyPair, lockUUID: LockUUID,
        random: any RandomSource, at now: LockInstant, outsidePairingMode: Bool = false, authenticatorPrefixOnly: Bool = false,
        ultra: Bool = false
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
            if ultra {
                step = .sentAuthorizationInfo(shared: shared)
                return .reply([.authorizationInfo(AuthorizationInfo(securityPINSet: machine.securityPIN.value != 0))])
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
            if let refusal = machine.pairingRefusal(idType: data.idType, clientID: data.id, at: now, outsidePairingMode: outsidePairingMode) {
                reset()
                return .refuse(refusal.code, .authorizationData, refusal.reason)
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
                return .paired(authorization, shared, outputs, reply: PlainFrame(Status(.complete)).encoded())
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

    /// Ultra: the encrypted Authorization Data written to the pairing GDIO after Authorization Info
    /// (see the type's documentation for the checks and their order). Every outcome ends the
    /// pairing: stored and answered with the sealed Authorization-ID, or refused (state reset).
    mutating func receiveSealed(
        _ frame: [UInt8], machine: inout LockMachine, lockUUID: LockUUID, random: any RandomSource, at now: LockInstant,
        outsidePairingMode: Bool = false
    ) -> Result {
        guard case .sentAuthorizationInfo(let shared) = step else {
            reset()
            return .refuse(.unknown, Command(rawValue: 0), "an encrypted pairing message is out of order")
        }
        let clearAuthID = Self.clearAuthID(of: frame)
        func refuse(_ code: NukiErrorCode, _ command: Command, _ reason: String, authID: UInt32) -> Result {
            refuseSealed(code, command, reason, authID: authID, random: random)
        }
        let plaintext: EncryptedPlaintext
        do {
            plaintext = try EncryptedMessageCodec.open(frame[...]) { _ in shared }
        } catch {
            // The lock cannot tell which command arrived (`docs/wire.md` §13): command 0x0000.
            return refuse(error.code.nukiErrorCode, Command(rawValue: 0), "encrypted Authorization Data refused: \(error.reason)", authID: clearAuthID)
        }
        let authID = plaintext.authID
        guard plaintext.command == .authorizationData else {
            return refuse(.unknown, plaintext.command, "\(plaintext.command) is out of order in Ultra pairing", authID: authID)
        }
        let data: UltraAuthorizationData
        do {
            data = try UltraAuthorizationData(payload: plaintext.payload, context: .ultra)
        } catch {
            let code = error.code == .badParameter ? NukiErrorCode.pairingBadParameter : error.code.nukiErrorCode
            return refuse(code, .authorizationData, error.reason, authID: authID)
        }
        guard machine.isPairingMode(at: now) || outsidePairingMode else {
            return refuse(.notPairing, .authorizationData, "pairing mode ended", authID: authID)
        }
        do {
            try machine.checkSecurityPIN(.u32(data.securityPIN), at: now)
        } catch {
            return refuse(error.code, .authorizationData, error.reason, authID: authID)
        }
        guard data.name.isWellFormed else {
            return refuse(.pairingBadParameter, .authorizationData, "name is not well-formed UTF-8", authID: authID)
        }
        if let refusal = machine.pairingRefusal(idType: .app, clientID: data.appID, at: now, outsidePairingMode: outsidePairingMode) {
            return refuse(refusal.code, .authorizationData, refusal.reason, authID: authID)
        }
        let newAuthID = machine.reserveAuthID()
        let reply = UltraAuthorizationID(authID: newAuthID, lockUUID: lockUUID)
        guard let sealed = try? EncryptedMessageCodec.seal(
            authID: authID, command: .authorizationID, payload: reply.encoded(), key: shared, random: random)
        else {
            // A 20-byte payload is far below the frame limit: cannot happen; refuse rather than trap.
            return refuse(.unknown, .authorizationData, "could not seal Authorization-ID", authID: authID)
        }
        let stored: (Authorization, [LockOutput])
        do {
            stored = try machine.addAuthorization(
                authID: newAuthID, idType: .app, clientID: data.appID, name: data.name, at: now, outsidePairingMode: outsidePairingMode)
        } catch {
            return refuse(error.code, .authorizationData, error.reason, authID: authID)
        }
        step = .idle
        return .paired(stored.0, shared, stored.1, reply: sealed)
    }

    /// The clear auth id of an encrypted pairing write, or ``ultraPairingAuthID`` when the frame has none.
    static func clearAuthID(of frame: [UInt8]) -> UInt32 {
        (try? EncryptedFrame.decode(frame).authID) ?? ultraPairingAuthID
    }

    /// Refuses at the Ultra's encrypted step: an Error Report sealed under the pairing's key with
    /// `authID` in the frame (plain when no key is held), then the state is reset.
    mutating func refuseSealed(_ code: NukiErrorCode, _ command: Command, _ reason: String, authID: UInt32, random: any RandomSource) -> Result {
        guard case .sentAuthorizationInfo(let shared) = step else {
            reset()
            return .refuse(code, command, reason)
        }
        let report = ErrorReport(errorCode: code, commandID: command)
        let sealed = (try? EncryptedMessageCodec.seal(
            authID: authID, command: .errorReport, payload: report.encoded(), key: shared, random: random)) ?? []
        reset()
        return .refuseSealed(code, command, reason, frame: sealed)
    }
}
