import LatchkeyTestSupport
import LockCrypto
import LockWire

/// Hex of a secret for test assertions only.
func hexOf(_ secret: SecretBytes) -> String {
    secret.withUnsafeBytes { Hex.encode($0) }
}

func hexOf(_ key: SharedKey) -> String {
    hexOf(key.secret)
}

/// The Set A client key pair and shared key s (derived, not loaded).
func setAKeys(_ v: SetAVectors) throws -> (client: KeyPair, lockPublicKey: Bytes32, s: SharedKey) {
    let client = try KeyPair(secretKeyBytes: try v.bytes("client_secret_key"))
    let lockPublicKey = try v.bytes32("lock_public_key")
    let s = try SharedKey(ownKeyPair: client, peerPublicKey: lockPublicKey)
    return (client, lockPublicKey, s)
}

/// Runs `body` and returns the WireError it throws, or nil when it does not throw.
func wireError<T>(_ body: () throws(WireError) -> T) -> WireError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func cryptoError<T>(_ body: () throws(CryptoError) -> T) -> CryptoError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
