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

    public init(appID: UInt32, name: String = "Phone", keyPair: KeyPair, random: any RandomSource, credentials: ClientCredentials? = nil) {
        session = ClientSessionEngine(
            idType: .app, clientID: appID, name: FixedName(name, width: FixedName.nameWidth), keyPair: keyPair, random: random,
            credentials: credentials)
    }

    public var credentials: ClientCredentials? { session.credentials }

    public mutating func pair() -> [PeripheralAction] { map(session.startPairing()) }

    /// How long a motor request waits for COMPLETE before it reads the state back
    /// (``LockSession/ClientSessionEngine/completeGraceMilliseconds``).
    public var completeGraceMilliseconds: Int64 {
        get { session.completeGraceMilliseconds }
        set { session.completeGraceMilliseconds = newValue }
    }

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
