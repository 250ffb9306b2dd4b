import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire

/// The auditor's own clients pairing with the target (which must be in pairing mode), through the
/// same emulators and GATT client path as `latchkey keypad pair` / `latchkey fob pair`.
public enum AuditPairing {
    /// Why pairing failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Why `role` cannot pair with a lock that pairs the Smart Lock Ultra way (`docs/wire.md` §3.4):
    /// a keypad or fob cannot (the flow carries no ID type; the admin invites them), the admin
    /// cannot without the security PIN; nil when it can.
    public static func ultraRefusal(_ role: AuditRole, securityPIN: SecurityPIN?) -> Failure? {
        if role != .admin {
            return Failure(description: "\(role.rawValue) pairing failed: the lock pairs the Smart Lock Ultra way, which carries no ID type: the admin invites a \(role.rawValue) (needs --security-pin)")
        }
        if securityPIN == nil {
            return Failure(description: "\(role.rawValue) pairing failed: the lock pairs the Smart Lock Ultra way, which needs its security PIN (--security-pin)")
        }
        return nil
    }

    /// Pairs a client of `role` (an app for the admin, a keypad, a fob) with `clientID` and
    /// `keyPair` (a fresh one from `random` when nil) over `client`, in the flow the target's GATT
    /// table shows (``LockEmulator/PeripheralClient/wireContext``): the standard pairing, or for a
    /// Smart Lock Ultra or Go 5.x the Ultra pairing (`docs/wire.md` §3.4), which sends `securityPIN`
    /// in its Authorization Data and carries no ID type, so only an app pairs that way (a keypad or
    /// fob is invited by the admin instead). Throws ``Failure`` when the lock refuses or does not
    /// finish, when an Ultra is to be paired without the PIN or by a keypad or fob, or the link's error.
    public static func pair(
        _ role: AuditRole, clientID: UInt32, keyPair: KeyPair? = nil, via client: PeripheralClient, random: any RandomSource,
        securityPIN: SecurityPIN? = nil
    ) throws -> ClientCredentials? {
        let ultra = client.wireContext.ultraPairing
        if ultra, let refusal = ultraRefusal(role, securityPIN: securityPIN) { throw refusal }
        let keys = try keyPair ?? KeyPair(using: random)
        func finish<P: EmulatedPeripheral>(_ peripheral: inout P, _ start: (inout P) -> [PeripheralAction]) throws -> ClientCredentials {
            let actions = start(&peripheral)
            let feedback = try client.run(&peripheral, start: actions, timeout: .seconds(10))
            guard let credentials = peripheral.credentials else {
                throw Failure(description: "\(role.rawValue) pairing failed: \(feedback.map { Demo.text($0) }.joined(separator: ", "))")
            }
            return credentials
        }
        switch role {
        case .admin:
            var app = AdminClient(appID: clientID, name: "latchkey-audit", keyPair: keys, random: random, context: client.wireContext)
            return try finish(&app) { $0.pair(securityPIN: ultra ? securityPIN?.value : nil) }
        case .keypad:
            var keypad = KeypadEmulator(keypadID: clientID, name: "latchkey-audit", keyPair: keys, random: random)
            return try finish(&keypad) { $0.pair() }
        case .fob:
            var fob = FobEmulator(fobID: clientID, name: "latchkey-audit", keyPair: keys, random: random)
            return try finish(&fob) { $0.pair() }
        }
    }
}
