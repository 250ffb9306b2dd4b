import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession

/// The auditor's own clients pairing with the target (which must be in pairing mode), through the
/// same emulators and GATT client path as `latchkey keypad pair` / `latchkey fob pair`.
public enum AuditPairing {
    /// Why pairing failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Pairs a client of `role` (an app for the admin, a keypad, a fob) with `clientID` and
    /// `keyPair` (a fresh one from `random` when nil) over `client`. Throws ``Failure`` when the lock
    /// refuses or does not finish, or the link's error.
    public static func pair(
        _ role: AuditRole, clientID: UInt32, keyPair: KeyPair? = nil, via client: PeripheralClient, random: any RandomSource
    ) throws -> ClientCredentials? {
        let keys = try keyPair ?? KeyPair(using: random)
        func finish<P: EmulatedPeripheral>(_ peripheral: inout P) throws -> ClientCredentials {
            let feedback = try client.run(&peripheral, start: peripheral.pair(), timeout: .seconds(10))
            guard let credentials = peripheral.credentials else {
                throw Failure(description: "\(role.rawValue) pairing failed: \(feedback.map { Demo.text($0) }.joined(separator: ", "))")
            }
            return credentials
        }
        switch role {
        case .admin:
            var app = AdminClient(appID: clientID, name: "latchkey-audit", keyPair: keys, random: random)
            return try finish(&app)
        case .keypad:
            var keypad = KeypadEmulator(keypadID: clientID, name: "latchkey-audit", keyPair: keys, random: random)
            return try finish(&keypad)
        case .fob:
            var fob = FobEmulator(fobID: clientID, name: "latchkey-audit", keyPair: keys, random: random)
            return try finish(&fob)
        }
    }
}
