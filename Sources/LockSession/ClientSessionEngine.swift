import LockCore
import LockCrypto
import LockWire
import NukiProfile

/// What a client keeps after pairing: its auth id and shared key, and who the lock is.
public struct ClientCredentials: Sendable {
    public let authID: UInt32
    public let sharedKey: SharedKey
    public let lockPublicKey: Bytes32
    public let lockUUID: LockUUID

    public init(authID: UInt32, sharedKey: SharedKey, lockPublicKey: Bytes32, lockUUID: LockUUID) {
        self.authID = authID
        self.sharedKey = sharedKey
        self.lockPublicKey = lockPublicKey
        self.lockUUID = lockUUID
    }
}

/// One request of a client flow: what to send, whether it needs a fresh challenge first, and which
/// replies end it.
public struct ClientRequest: Sendable {
    /// The command's name for logs.
    public let command: Command
    /// Builds the message; gets the challenge nonce when ``needsChallenge``.
    public let build: @Sendable (Bytes32) -> NukiMessage
    public let needsChallenge: Bool
    /// Commands whose arrival ends the flow, besides Status COMPLETE and Error Report.
    public let finalCommands: Set<Command>
    /// When true the engine does not build the message itself once the challenge arrives: it
    /// reports ``ClientSessionEngine/Action/challengeReceived(_:_:)`` and waits for
    /// ``ClientSessionEngine/resume(with:)`` (an NFC card must answer the challenge first).
    public let awaitsResume: Bool
    /// A request that moves the motor (Lock Action, Keypad Action): when Status COMPLETE does not
    /// follow ACCEPTED within ``ClientSessionEngine/completeGraceMilliseconds``, the engine reads
    /// the state back instead of waiting (``ClientSessionEngine/tick(at:)``).
    public let readsBackState: Bool

    public init(command: Command, needsChallenge: Bool, finalCommands: Set<Command> = [], awaitsResume: Bool = false,
                readsBackState: Bool = false, build: @escaping @Sendable (Bytes32) -> NukiMessage) {
        self.command = command
        self.needsChallenge = needsChallenge
        self.finalCommands = finalCommands
        self.awaitsResume = awaitsResume
        self.readsBackState = readsBackState
        self.build = build
    }

    /// Keypad Action (0x0048) with source NFC (Latchkey extension): the challenge is handed out,
    /// the card answers it, and ``ClientSessionEngine/resume(with:)`` sends the request.
    public static let keypadNFCAction = ClientRequest(command: .keypadAction, needsChallenge: true, awaitsResume: true, readsBackState: true) { nonce in
        .keypadAction(KeypadActionRequest(source: .nfc, code: 0, action: .unlock, challenge: nonce))
    }

    /// Request Data(Keyturner States), answered by Keyturner States.
    public static let keyturnerStates = ClientRequest(command: .requestData, needsChallenge: false, finalCommands: [.keyturnerStates]) { _ in
        .requestData(RequestData(requestedCommand: .keyturnerStates))
    }

    /// Lock Action (0x000D): ACCEPTED, state updates, COMPLETE.
    public static func lockAction(_ action: LockAction, appID: UInt32, flags: LockActionFlags = [], nameSuffix: FixedName? = nil) -> ClientRequest {
        ClientRequest(command: .lockAction, needsChallenge: true, readsBackState: true) { nonce in
            .lockAction(LockActionRequest(action: action, appID: appID, flags: flags, nameSuffix: nameSuffix, challenge: nonce))
        }
    }

    /// Keypad Action (0x0048), as the keypad sends it.
    public static func keypadAction(source: KeypadActionSource, code: UInt32, action: KeypadLockAction) -> ClientRequest {
        ClientRequest(command: .keypadAction, needsChallenge: true, readsBackState: true) { nonce in
            .keypadAction(KeypadActionRequest(source: source, code: code, action: action, challenge: nonce))
        }
    }

    /// Verify Security PIN (0x0020).
    public static func verifySecurityPIN(_ pin: SecurityPIN) -> ClientRequest {
        ClientRequest(command: .verifySecurityPIN, needsChallenge: true) { nonce in
            .verifySecurityPIN(VerifySecurityPIN(challenge: nonce, securityPIN: pin))
        }
    }

    /// Request Config (0x0014), answered by Config.
    public static let config = ClientRequest(command: .requestConfig, needsChallenge: true, finalCommands: [.config]) { nonce in
        .requestConfig(RequestConfig(challenge: nonce))
    }
}

/// A client's protocol engine, sans-I/O: pairing initiator and request flows for any ID type.
///
/// Pairing (Nuki BLE API 2.1 §"Pairing", `docs/wire.md` §3.1): it verifies every step, including the
/// lock's Authorization-ID authenticator, which pyNukiBT and NukiBleEsp32 skip.
///
/// Ultra pairing (`context.ultraPairing`: Smart Lock Ultra, Smart Lock Go 5.x; `docs/wire.md` §3.4,
/// as pyNukiBT 0.0.20 sends it): after the Authorization Authenticator the lock answers
/// Authorization Info (0x004C); the client then writes Authorization Data (app id u32 = ``clientID``,
/// name[32], security PIN u32) **encrypted** under s with the auth id bytes `7F FF FF FF` (clear and
/// inner, ``ultraPairingAuthID``) to the
/// pairing GDIO, and takes the encrypted Authorization-ID (auth id + lock UUID) from the pairing
/// GDIO; no confirmation. The Ultra layout carries no ID type (the lock records an app), so only
/// ``IDType/app`` and ``IDType/bridge`` pair this way: a keypad or fob fails at once with
/// ``ClientError/Code/unsupported``, and a missing PIN the same way. Requests: a
/// challenge is fetched first when the command needs one, the replies are collected until Status
/// COMPLETE, an Error Report or the request's final command, and every reply must decrypt under
/// the client's key, carry its auth id and pass its CRC. One request at a time.
public struct ClientSessionEngine {
    /// What the engine asks the transport to do, or reports.
    public enum Action: Sendable {
        /// Write `bytes` to `characteristic` (a long write when longer than ATT_MTU − 3).
        case write(Characteristic, [UInt8])
        /// Pairing finished.
        case paired(ClientCredentials)
        /// A request finished: every message received for it, the last one ending it.
        case completed(Command, [NukiMessage])
        /// Pairing or a request failed; the engine is idle again.
        case failed(ClientError)
        /// The lock's challenge for a request that ``ClientRequest/awaitsResume``: answer it with
        /// ``ClientSessionEngine/resume(with:)`` (or ``ClientSessionEngine/cancel()``).
        case challengeReceived(Command, Bytes32)
        /// A motor request the lock ACCEPTED whose Status COMPLETE never came: the engine read the
        /// state back (Request Data(Keyturner States), no challenge, same session) and this is
        /// every message received for the request, the last one the Keyturner States read back.
        /// What the lock actually did is that state, not a failure (`docs/wire.md` §13: a client that
        /// retried after a lost COMPLETE made the door unlatch again).
        case readBack(Command, [NukiMessage])
    }

    enum State {
        case idle
        case pairingAwaitingPublicKey
        case pairingAwaitingChallenge1(shared: SharedKey, lockKey: Bytes32)
        case pairingAwaitingChallenge2(shared: SharedKey, lockKey: Bytes32)
        case pairingAwaitingAuthorizationID(shared: SharedKey, lockKey: Bytes32, clientNonce: Bytes32)
        case pairingAwaitingStatus(ClientCredentials)
        /// Ultra: authenticator sent, Authorization Info expected.
        case pairingAwaitingAuthorizationInfo(shared: SharedKey, lockKey: Bytes32, securityPIN: UInt32)
        /// Ultra: encrypted Authorization Data sent, the encrypted Authorization-ID expected.
        case pairingAwaitingUltraAuthorizationID(shared: SharedKey, lockKey: Bytes32)
        case awaitingChallenge(ClientRequest)
        case awaitingResume(ClientRequest, Bytes32)
        case awaitingReplies(ClientRequest, [NukiMessage])
        /// ACCEPTED came, COMPLETE did not within the grace: Request Data(Keyturner States) sent
        /// at `since`; its answer (or a late COMPLETE) ends the request.
        case readingBack(ClientRequest, [NukiMessage], since: LockInstant)
    }

    /// How long a motor request (``ClientRequest/readsBackState``) waits for Status COMPLETE after
    /// ACCEPTED or its last state update before it reads the state back, and then how long it waits
    /// for that answer before it fails (``ClientError/Code/noAnswer``). 10 s: a real lock sends
    /// COMPLETE about 17 ms after its last state update (`docs/wire.md` §13) and the longest quiet
    /// gap of a run is Advanced Config's unlatch duration (3 s by default); lock'n'go sends COMPLETE
    /// before its hold.
    public var completeGraceMilliseconds: Int64 = 10_000
    /// When the running request last heard from the lock (ACCEPTED, a state update), from
    /// ``receive(_:on:at:)``; nil until then, and ``tick(at:)`` then starts the grace itself.
    var lastReplyAt: LockInstant?

    public let idType: IDType
    public let clientID: UInt32
    public let name: FixedName
    let keyPair: KeyPair
    let random: any RandomSource
    public let context: WireContext
    public private(set) var credentials: ClientCredentials?
    var state: State = .idle
    /// The security PIN of an Ultra pairing in progress.
    var pairingPIN: UInt32?
    var plainInput = FragmentReassembler(framing: .plain)
    var encryptedInput = FragmentReassembler(framing: .encrypted)

    public init(idType: IDType, clientID: UInt32, name: FixedName, keyPair: KeyPair, random: any RandomSource,
                context: WireContext = .smartLock, credentials: ClientCredentials? = nil) {
        self.idType = idType
        self.clientID = clientID
        self.name = name
        self.keyPair = keyPair
        self.random = random
        self.context = context
        self.credentials = credentials
    }

    /// Whether a pairing or request is in progress.
    public var isBusy: Bool {
        if case .idle = state { return false }
        return true
    }

    // MARK: Pairing

    /// The auth id of the Ultra's encrypted Authorization Data, clear and inner: the bytes
    /// `7F FF FF FF` that pyNukiBT 0.0.20 writes (its literal `b"\x7f\xff\xff\xff"`), i.e. the u32 LE
    /// 0xFFFFFF7F. [S23]'s "0x7FFFFFFF" would travel as `FF FF FF 7F` if read as a u32 LE; which byte
    /// order a real Ultra expects is UNSURE (`docs/wire.md` §3.4), so Latchkey sends pyNukiBT's bytes
    /// (the reference where the spec is unsure) and its lock accepts any.
    public static let ultraPairingAuthID: UInt32 = 0xFFFF_FF7F

    /// Starts pairing: Request Data(Public Key) on the pairing GDIO. The lock must be in pairing mode.
    /// `securityPIN` is the lock's 6-digit security PIN, needed (and only used) for the Ultra pairing
    /// (`context.ultraPairing`); without it, or for a keypad or fob, an Ultra pairing fails at once
    /// with ``ClientError/Code/unsupported``.
    public mutating func startPairing(securityPIN: UInt32? = nil) -> [Action] {
        plainInput.reset()
        encryptedInput.reset()
        pairingPIN = nil
        if context.ultraPairing {
            guard idType == .app || idType == .bridge else {
                state = .idle
                return [.failed(ClientError(.unsupported, "the Ultra pairing carries no ID type: a \(idType) cannot pair with this lock"))]
            }
            guard let securityPIN else {
                state = .idle
                return [.failed(ClientError(.unsupported, "the Ultra pairing needs the lock's security PIN"))]
            }
            pairingPIN = securityPIN
        }
        state = .pairingAwaitingPublicKey
        return [writePlain(.requestData(RequestData(requestedCommand: .publicKey)))]
    }

    // MARK: Requests

    /// Starts `request`; fails at once when another is in progress or the client is not paired.
    public mutating func send(_ request: ClientRequest) -> [Action] {
        guard !isBusy else { return [.failed(ClientError(.busy, "another request or pairing is in progress"))] }
        guard credentials != nil else { return [.failed(ClientError(.notPaired, "pair before sending \(request.command)"))] }
        encryptedInput.reset()
        if request.needsChallenge {
            state = .awaitingChallenge(request)
            return writeEncrypted(.requestData(RequestData(requestedCommand: .challenge)))
        }
        state = .awaitingReplies(request, [])
        return writeEncrypted(request.build(.zero))
    }

    /// The challenge a request waits to be resumed with, if any.
    public var pendingChallenge: Bytes32? {
        if case .awaitingResume(_, let nonce) = state { return nonce }
        return nil
    }

    /// Sends `message` (built with ``pendingChallenge``) for the request that awaits it; fails
    /// when no request is waiting.
    public mutating func resume(with message: NukiMessage) -> [Action] {
        guard case .awaitingResume(let request, _) = state else {
            return [.failed(ClientError(.invalidReply, "no request awaits a challenge answer"))]
        }
        state = .awaitingReplies(request, [])
        return writeEncrypted(message)
    }

    /// Lets the lost-COMPLETE timer run up to `now`: a motor request (``ClientRequest/readsBackState``)
    /// the lock ACCEPTED that heard nothing for ``completeGraceMilliseconds`` sends Request
    /// Data(Keyturner States) on the same session (no challenge: the action is never sent again);
    /// the answer ends it with ``Action/readBack(_:_:)``. No answer to that within the grace either
    /// fails it with ``ClientError/Code/noAnswer``. Nothing happens in any other state.
    public mutating func tick(at now: LockInstant) -> [Action] {
        switch state {
        case .awaitingReplies(let request, let received):
            guard request.readsBackState, received.contains(where: { $0 == .status(Status(.accepted)) }) else { return [] }
            guard let since = lastReplyAt else {
                lastReplyAt = now
                return []
            }
            guard now.milliseconds(since: since) >= completeGraceMilliseconds else { return [] }
            state = .readingBack(request, received, since: now)
            return writeEncrypted(.requestData(RequestData(requestedCommand: .keyturnerStates)))
        case .readingBack(let request, _, let since):
            guard now.milliseconds(since: since) >= completeGraceMilliseconds else { return [] }
            return fail(ClientError(.noAnswer, "\(request.command) was ACCEPTED; neither COMPLETE nor the Keyturner States read back came"))
        default:
            return []
        }
    }

    /// Abandons what is in progress (e.g. after a timeout kept by the caller).
    public mutating func cancel() {
        state = .idle
        lastReplyAt = nil
        pairingPIN = nil
        plainInput.reset()
        encryptedInput.reset()
    }

    // MARK: Input

    /// An indication received on `characteristic` at `now` (the lost-COMPLETE timer of
    /// ``tick(at:)`` counts from the request's last reply).
    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, at now: LockInstant) -> [Action] {
        let actions = receive(bytes, on: characteristic)
        if case .awaitingReplies = state { lastReplyAt = now }
        return actions
    }

    /// An indication received on `characteristic`.
    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic) -> [Action] {
        do {
            if characteristic == .pairingGDIO, case .pairingAwaitingUltraAuthorizationID(let shared, let lockKey) = state {
                return try receiveUltraAuthorizationID(bytes, shared: shared, lockKey: lockKey)
            }
            switch characteristic {
            case .pairingGDIO, .keyturnerGDIO:
                var actions: [Action] = []
                for frame in try plainInput.append(bytes) {
                    let plain = try PlainFrame.decode(frame)
                    let message = try NukiMessage.decode(command: plain.command, payload: plain.payload, context: context)
                    actions += characteristic == .pairingGDIO ? receivePairing(message) : fail(message)
                }
                return actions
            case .keyturnerUSDIO:
                guard let credentials else { return fail(ClientError(.notPaired, "encrypted message before pairing")) }
                var actions: [Action] = []
                let frames = try encryptedInput.append(bytes)
                // An indication either carries part of a frame or ends frames exactly: bytes left over
                // after a frame it completed are not the start of a next message (docs/attacks.md P-07).
                if !frames.isEmpty && !encryptedInput.isIdle {
                    throw WireError(.trailingBytes, "\(encryptedInput.bufferedByteCount) bytes after a complete frame in one indication")
                }
                for frame in frames {
                    let plaintext = try EncryptedMessageCodec.open(frame) { $0 == credentials.authID ? credentials.sharedKey : nil }
                    let message = try NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: context)
                    actions += receiveReply(message)
                }
                return actions
            }
        } catch {
            // Input that fails while nothing is pending (the rest of a reply already refused) is
            // dropped: one bad reply fails its request once.
            guard isBusy else {
                plainInput.reset()
                encryptedInput.reset()
                return []
            }
            return fail(ClientError(.invalidReply, "\(error)"))
        }
    }

    private mutating func receivePairing(_ message: NukiMessage) -> [Action] {
        if case .errorReport(let report) = message {
            return fail(ClientError(.refused(report.errorCode), "lock refused \(report.commandID)"))
        }
        switch (state, message) {
        case (.pairingAwaitingPublicKey, .publicKey(let lockKey)):
            do {
                let shared = try SharedKey(ownKeyPair: keyPair, peerPublicKey: lockKey.key)
                state = .pairingAwaitingChallenge1(shared: shared, lockKey: lockKey.key)
                return [writePlain(.publicKey(PublicKey(key: keyPair.publicKey)))]
            } catch {
                return fail(ClientError(.invalidReply, "lock public key refused: \(error.reason)"))
            }
        case (.pairingAwaitingChallenge1(let shared, let lockKey), .challenge(let challenge)):
            let authenticator = PairingAuthenticator.authorizationAuthenticator(
                key: shared, clientPublicKey: keyPair.publicKey, lockPublicKey: lockKey, challenge: challenge.nonce)
            if context.ultraPairing, let pin = pairingPIN {
                state = .pairingAwaitingAuthorizationInfo(shared: shared, lockKey: lockKey, securityPIN: pin)
            } else {
                state = .pairingAwaitingChallenge2(shared: shared, lockKey: lockKey)
            }
            return [writePlain(.authorizationAuthenticator(AuthorizationAuthenticator(authenticator: authenticator)))]
        case (.pairingAwaitingChallenge2(let shared, let lockKey), .challenge(let challenge)):
            let clientNonce = random.bytes32()
            guard let authenticator = try? PairingAuthenticator.authorizationData(
                key: shared, idType: idType, id: clientID, name: name, clientNonce: clientNonce, challenge: challenge.nonce)
            else { return fail(ClientError(.invalidReply, "name must be 32 bytes wide")) }
            state = .pairingAwaitingAuthorizationID(shared: shared, lockKey: lockKey, clientNonce: clientNonce)
            return [writePlain(.authorizationData(AuthorizationData(
                authenticator: authenticator, idType: idType, id: clientID, name: name, clientNonce: clientNonce)))]
        case (.pairingAwaitingAuthorizationID(let shared, let lockKey, let clientNonce), .authorizationID(let id)):
            guard PairingAuthenticator.verifyAuthorizationID(
                id.authenticator, key: shared, authID: id.authID, uuid: id.lockUUID, lockNonce: id.nonce, clientNonce: clientNonce)
            else { return fail(ClientError(.badAuthenticator, "the lock's Authorization-ID authenticator does not verify")) }
            let confirmation = PairingAuthenticator.authorizationIDConfirmation(key: shared, authID: id.authID, lockNonce: id.nonce)
            state = .pairingAwaitingStatus(ClientCredentials(authID: id.authID, sharedKey: shared, lockPublicKey: lockKey, lockUUID: id.lockUUID))
            return [writePlain(.authorizationIDConfirmation(AuthorizationIDConfirmation(authenticator: confirmation, authID: id.authID)))]
        case (.pairingAwaitingAuthorizationInfo(let shared, let lockKey, let pin), .authorizationInfo):
            let data = UltraAuthorizationData(appID: clientID, name: name, securityPIN: pin)
            guard let frame = try? EncryptedMessageCodec.seal(
                authID: Self.ultraPairingAuthID, command: .authorizationData, payload: data.encoded(), key: shared, random: random)
            else { return fail(ClientError(.invalidReply, "could not seal Authorization Data")) }
            state = .pairingAwaitingUltraAuthorizationID(shared: shared, lockKey: lockKey)
            pairingPIN = nil
            encryptedInput.reset()
            return [.write(.pairingGDIO, frame)]
        case (.pairingAwaitingChallenge2, .authorizationInfo):
            // A Smart Lock Ultra / Go 5.x answered the authenticator: it pairs the §3.4 way only.
            return fail(ClientError(.unsupported, "the lock pairs the Smart Lock Ultra way (Authorization Info): pair as an app or bridge with its security PIN"))
        case (.pairingAwaitingStatus(let credentials), .status(let status)) where status.status == .complete:
            self.credentials = credentials
            state = .idle
            return [.paired(credentials)]
        default:
            return fail(ClientError(.invalidReply, "unexpected \(message.command) during pairing"))
        }
    }

    /// Ultra: an indication on the pairing GDIO after the encrypted Authorization Data: the
    /// encrypted Authorization-ID (or an encrypted Error Report), in one indication or several; a
    /// plain Error Report (`12 00 …`, 7 bytes, CRC valid) is taken too.
    private mutating func receiveUltraAuthorizationID(_ bytes: [UInt8], shared: SharedKey, lockKey: Bytes32) throws -> [Action] {
        if encryptedInput.isIdle, bytes.count == PlainFrame.overheadBytes + 3, let plain = try? PlainFrame.decode(bytes),
            plain.command == .errorReport {
            return receivePairing(try NukiMessage.decode(command: plain.command, payload: plain.payload, context: context))
        }
        var actions: [Action] = []
        let frames = try encryptedInput.append(bytes[...])
        if !frames.isEmpty && !encryptedInput.isIdle {
            throw WireError(.trailingBytes, "\(encryptedInput.bufferedByteCount) bytes after a complete frame in one indication")
        }
        for frame in frames {
            // The key is this pairing's s whatever the clear auth id (the lock answers under the one sent).
            let plaintext = try EncryptedMessageCodec.open(frame) { _ in shared }
            let message = try NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: context)
            switch message {
            case .ultraAuthorizationID(let id):
                let credentials = ClientCredentials(authID: id.authID, sharedKey: shared, lockPublicKey: lockKey, lockUUID: id.lockUUID)
                self.credentials = credentials
                state = .idle
                encryptedInput.reset()
                actions.append(.paired(credentials))
            case .errorReport(let report):
                actions += fail(ClientError(.refused(report.errorCode), "lock refused \(report.commandID)"))
            default:
                actions += fail(ClientError(.invalidReply, "unexpected \(message.command) during Ultra pairing"))
            }
        }
        return actions
    }

    private mutating func receiveReply(_ message: NukiMessage) -> [Action] {
        switch state {
        case .awaitingChallenge(let request):
            if case .errorReport = message { return finish(request, [message]) }
            guard case .challenge(let challenge) = message else {
                return fail(ClientError(.invalidReply, "expected a challenge, got \(message.command)"))
            }
            if request.awaitsResume {
                state = .awaitingResume(request, challenge.nonce)
                return [.challengeReceived(request.command, challenge.nonce)]
            }
            state = .awaitingReplies(request, [])
            lastReplyAt = nil
            return writeEncrypted(request.build(challenge.nonce))
        case .readingBack(let request, var received, let since):
            received.append(message)
            switch message {
            case .status(Status(.complete)), .errorReport:
                // COMPLETE came late after all (or the read-back was refused): the request's own end.
                return finish(request, received)
            case .keyturnerStates:
                state = .idle
                lastReplyAt = nil
                return [.readBack(request.command, received)]
            default:
                state = .readingBack(request, received, since: since)
                return []
            }
        case .awaitingReplies(let request, var received):
            received.append(message)
            switch message {
            case .errorReport, .status(Status(.complete)):
                return finish(request, received)
            default:
                if request.finalCommands.contains(message.command) { return finish(request, received) }
                state = .awaitingReplies(request, received)
                return []
            }
        default:
            // Unsolicited (e.g. a state update after a flow ended): ignored.
            return []
        }
    }

    private mutating func finish(_ request: ClientRequest, _ received: [NukiMessage]) -> [Action] {
        state = .idle
        lastReplyAt = nil
        return [.completed(request.command, received)]
    }

    private mutating func fail(_ message: NukiMessage) -> [Action] {
        if case .errorReport(let report) = message {
            return fail(ClientError(.refused(report.errorCode), "lock refused \(report.commandID) on the keyturner GDIO"))
        }
        return []
    }

    private mutating func fail(_ error: ClientError) -> [Action] {
        state = .idle
        pairingPIN = nil
        plainInput.reset()
        encryptedInput.reset()
        return [.failed(error)]
    }

    // MARK: Output

    private func writePlain(_ message: NukiMessage) -> Action {
        .write(.pairingGDIO, PlainFrame(command: message.command, payload: message.encodedPayload()).encoded())
    }

    private func writeEncrypted(_ message: NukiMessage) -> [Action] {
        guard let credentials,
            let frame = try? EncryptedMessageCodec.seal(
                authID: credentials.authID, command: message.command, payload: message.encodedPayload(),
                key: credentials.sharedKey, random: random)
        else { return [.failed(ClientError(.invalidReply, "could not seal \(message.command)"))] }
        return [.write(.keyturnerUSDIO, frame)]
    }
}

/// Why a client flow failed.
public struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        case busy
        case notPaired
        /// The lock answered with an Error Report.
        case refused(NukiErrorCode)
        /// The lock's authenticator does not verify: not the lock we paired with, or tampering.
        case badAuthenticator
        /// A reply that does not decode, decrypt or fit the flow.
        case invalidReply
        /// The flow cannot run with this lock model or these arguments (e.g. a keypad asked to pair
        /// the Ultra way, whose Authorization Data carries no ID type; an Ultra pairing without PIN).
        case unsupported
        /// The lock went silent: a motor request was ACCEPTED but neither its COMPLETE nor the
        /// Keyturner States read back came (``ClientSessionEngine/tick(at:)``).
        case noAnswer
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
