// LockCrypto: libsodium-backed crypto of the Nuki BLE API (in progress).
