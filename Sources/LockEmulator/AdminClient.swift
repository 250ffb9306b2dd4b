import LockCore
import LockCrypto
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// An emulated phone app (ID type app, an admin): sends any request and reports its outcome as
/// peripheral feedback, so the runtime drives it like a keypad or a fob.
public struct AdminClient: EmulatedPeripheral {
    public private(set) var session: ClientSessionEngine
    /// Every message of the last finished request.
    public private(set) var lastReplies: [NukiMessage] = []

    /// `context`: the lock's pairing and PIN width (``LockEmulator/PeripheralClient/wireContext``
    /// after GATT set-up); the Ultra pairing needs the security PIN (``pair(securityPIN:)``).
    public init(
        appID: UInt32, name: String = "Phone", keyPair: KeyPair, random: any RandomSource, credentials: ClientCredentials? = nil,
        context: WireContext = .smartLock
    ) {
        session = ClientSessionEngine(
            idType: .app, clientID: appID, name: FixedName(name, width: FixedName.nameWidth), keyPair: keyPair, random: random,
            context: context, credentials: credentials)
    }

    public var credentials: ClientCredentials? { session.credentials }

    public mutating func pair() -> [PeripheralAction] { map(session.startPairing()) }

    /// How long a motor request waits for COMPLETE before it reads the state back
    /// (``LockSession/ClientSessionEngine/completeGraceMilliseconds``).
    public var completeGraceMilliseconds: Int64 {
        get { session.completeGraceMilliseconds }
        set { session.completeGraceMilliseconds = newValue }
    }

    /// Starts pairing with the lock's security PIN, which the Ultra pairing (`context.ultraPairing`,
    /// `docs/wire.md` §3.4) sends in its Authorization Data; the standard pairing ignores it.
    public mutating func pair(securityPIN: UInt32?) -> [PeripheralAction] { map(session.startPairing(securityPIN: securityPIN)) }

    /// Starts `request`.
    public mutating func send(_ request: ClientRequest) -> [PeripheralAction] { map(session.send(request)) }

    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, at now: LockInstant) -> [PeripheralAction] {
        map(session.receive(bytes, on: characteristic, at: now))
    }

    /// Runs the session's lost-COMPLETE timer (``LockSession/ClientSessionEngine/tick(at:)``).
    public mutating func tick(at now: LockInstant) -> [PeripheralAction] { map(session.tick(at: now)) }

    private mutating func map(_ actions: [ClientSessionEngine.Action]) -> [PeripheralAction] {
        actions.flatMap { action -> [PeripheralAction] in
            switch action {
            case .write(let c, let b): return [.write(c, b)]
            case .paired(let credentials): return [.feedback(.paired(authID: credentials.authID))]
            case .failed(let error): return [.feedback(.failed(error))]
            case .challengeReceived: return []
            case .completed(let command, let messages):
                lastReplies = messages
                if case .errorReport(let report) = messages.last { return [.feedback(.refused(report.errorCode))] }
                return [.feedback(.accepted(command))]
            case .readBack(let command, let messages):
                lastReplies = messages
                guard case .keyturnerStates(let states) = messages.last else { return [] }
                return [.feedback(.readBack(command, lockState: states.lockState))]
            }
        }
    }
}
