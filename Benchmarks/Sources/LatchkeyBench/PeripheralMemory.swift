// Memory per emulated peripheral: how much one paired keypad or fob costs in one process.

import Foundation
import LockCore
import LockCrypto
import LockPeripherals
import LockSession
import LockWire

/// Resident set size of this process in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Creates `count` paired keypads and `count` paired fobs (each with its own key pair, shared key,
/// random source and credentials, as after pairing) and returns the resident bytes added per
/// peripheral. They are kept alive until measured.
func memoryPerPeripheral(count: Int) throws -> Double {
    let lockUUID = LockUUID([UInt8](repeating: 7, count: 16)) ?? LockUUID([UInt8](repeating: 0, count: 16))!
    let seedSource = SeededRandomSource(seed: 99)
    let before = residentBytes()
    var keypads: [KeypadEmulator] = []
    var fobs: [FobEmulator] = []
    keypads.reserveCapacity(count)
    fobs.reserveCapacity(count)
    for i in 0..<count {
        let key = try SharedKey(rawBytes: seedSource.bytes(count: 32))
        let credentials = ClientCredentials(authID: UInt32(2 * i + 1), sharedKey: key, lockPublicKey: .zero, lockUUID: lockUUID)
        keypads.append(KeypadEmulator(
            keypadID: UInt32(i), keyPair: try KeyPair(using: seedSource), random: SeededRandomSource(seed: UInt64(i)), credentials: credentials))
        let fobKey = try SharedKey(rawBytes: seedSource.bytes(count: 32))
        fobs.append(FobEmulator(
            fobID: UInt32(i), keyPair: try KeyPair(using: seedSource), random: SeededRandomSource(seed: UInt64(i) + 1_000_000),
            credentials: ClientCredentials(authID: UInt32(2 * i + 2), sharedKey: fobKey, lockPublicKey: .zero, lockUUID: lockUUID)))
    }
    let after = residentBytes()
    withExtendedLifetime((keypads, fobs)) {}
    return Double(after - before) / Double(2 * count)
}
