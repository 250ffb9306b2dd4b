import LockCrypto
import LockSession
import LockWire

/// What the lock answered to one frame on one connection, as a client sees it, for
/// ``AccessModel/confirm(_:outcome:nonce:codeID:)``: read from the lock engine's actions of that
/// write (its Error Report and replies), never from the lock's state.
public struct ModelObservation: Sendable {
    /// Accepted, or refused with the Error Report's code: encrypted on USDIO, or plain on the
    /// keyturner GDIO (Nuki BLE API 2.1 §"Error codes"; `docs/wire.md` §13).
    public let outcome: AccessModel.Outcome
    /// The nonce of a Challenge (0x0004) among the replies, sealed to `authID`.
    public let nonce: Bytes32?
    /// The code id of a Keypad Code ID (0x0042) among the replies.
    public let codeID: UInt16?

    /// Reads `actions` (one `LockSessionEngine.receive` call) for `connection`; replies are opened
    /// with `key` under `authID` (no key: only the outcome is read).
    public init(_ actions: [LockSessionEngine.Action], connection: ConnectionID, authID: UInt32, key: SharedKey?, context: WireContext) {
        var refused: NukiErrorCode?
        var plain = false
        for action in actions {
            switch action {
            case .refused(let id, let code, _, _) where id == connection: refused = code
            case .indicate(let id, .keyturnerGDIO, _) where id == connection: plain = true
            default: break
            }
        }
        let outcome: AccessModel.Outcome = refused.map { .refused($0, encrypted: !plain) } ?? .accepted
        var nonce: Bytes32?
        var codeID: UInt16?
        if outcome == .accepted, let key {
            for message in Self.replies(actions, connection: connection, authID: authID, key: key, context: context) {
                if case .challenge(let c) = message { nonce = c.nonce }
                if case .keypadCodeID(let k) = message { codeID = k.codeID }
            }
        }
        self.outcome = outcome
        self.nonce = nonce
        self.codeID = codeID
    }

    /// The encrypted messages in `actions` for `connection` on USDIO, reassembled and opened with
    /// `key` under `authID`; frames that do not open or decode are skipped.
    static func replies(
        _ actions: [LockSessionEngine.Action], connection: ConnectionID, authID: UInt32, key: SharedKey, context: WireContext
    ) -> [NukiMessage] {
        var reassembler = FragmentReassembler(framing: .encrypted)
        var out: [NukiMessage] = []
        for case .indicate(let id, .keyturnerUSDIO, let bytes) in actions where id == connection {
            guard let frames = try? reassembler.append(bytes) else { continue }
            for frame in frames {
                guard let plaintext = try? EncryptedMessageCodec.open(frame, key: { $0 == authID ? key : nil }),
                    let message = try? NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: context)
                else { continue }
                out.append(message)
            }
        }
        return out
    }
}
