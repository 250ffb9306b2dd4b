import Foundation
import LockCore
import LockCrypto
import LockPeripherals
import LockHost
import LockSession
import LockWire
import PrivateFiles

/// An emulated peripheral's own state file (mode 0600, written atomically): what it needs to talk
/// to its lock after a restart.
///
/// ```json
/// { "schemaVersion": 1, "kind": "keypad", "clientID": 19280, "name": "Keypad",
///   "secretKey": "<64 hex: the peripheral's X25519 secret key>",
///   "authID": 2, "sharedKey": "<64 hex>", "lockPublicKey": "<64 hex>", "lockUUID": "<32 hex>",
///   "batteryPercent": 100, "nfcCounter": 3 }
/// ```
/// `authID` and the keys after them are absent until the peripheral has paired. `nfcCounter` (a
/// fob's NFC card: the last counter it answered with) is absent until the first tap; the card key
/// itself is derived from `sharedKey` (``LockNFC/NFCCardKey``) and never stored apart.
/// Which peripheral a credentials file belongs to; its JSON value is the raw value (`"keypad"`,
/// `"fob"`, `"app"`), part of the file's schema. Source: Latchkey (the client types are the Nuki
/// API's ID types, `docs/wire.md` §3.1).
public enum PeripheralKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case keypad
    case fob
    /// A phone (`latchkey phone`): the Nuki app's ID type.
    case app

    public var description: String { rawValue }

    /// The name a new peripheral of this kind gets (`Keypad`, `Fob`, `App`).
    public var defaultName: String {
        switch self {
        case .keypad: "Keypad"
        case .fob: "Fob"
        case .app: "App"
        }
    }

    /// Decodes the raw value; any other string is refused with a message naming the three.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let kind = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "keypad, fob or app, not \(raw.debugDescription)"))
        }
        self = kind
    }
}

public struct PeripheralCredentialsFile: Codable, Sendable {
    public static let schemaVersion = 1

    /// Which peripheral.
    public var kind: PeripheralKind
    public var clientID: UInt32
    public var name: String
    public var secretKey: String
    public var authID: UInt32?
    public var sharedKey: String?
    public var lockPublicKey: Bytes32?
    public var lockUUID: LockUUID?
    public var batteryPercent: Int
    /// A fob's NFC card counter (last used); nil before its first tap.
    public var nfcCounter: UInt32?
    /// The discovery address (`54:D2:72:…`) of the lock it paired with over the socket link, so
    /// later commands reach that lock when several serve; nil in older files and over BlueZ.
    public var lockAddress: String?
    /// A phone's notification list (the app's bell), oldest first; nil in other files and before
    /// the first notification.
    public var notifications: [PhoneNotification]?
    /// A phone: the battery alert was noted and the lock has not reported a good battery since
    /// (so one fall below 20 % is one notification); nil counts as false.
    public var batteryAlerted: Bool?
    /// A phone: it came into the lock's range (`phone approach`) and has not left since
    /// (`phone leave`); nil or false: away. Auto unlock fires on arrival only.
    public var inRange: Bool?
    public var schemaVersion: Int

    /// A new peripheral: a fresh key pair from `random`, not paired yet.
    public init(kind: PeripheralKind, clientID: UInt32, name: String, random: any RandomSource) {
        self.kind = kind
        self.clientID = clientID
        self.name = name
        secretKey = Hex.encode(random.bytes(count: 32))
        batteryPercent = 100
        schemaVersion = Self.schemaVersion
    }

    /// Records the credentials of a finished pairing.
    public mutating func store(_ credentials: ClientCredentials) {
        authID = credentials.authID
        sharedKey = credentials.sharedKey.withUnsafeBytes { Hex.encode($0) }
        lockPublicKey = credentials.lockPublicKey
        lockUUID = credentials.lockUUID
    }

    /// The key pair; throws when `secretKey` is not 32 bytes of hex.
    public func keyPair() throws(StateFileError) -> KeyPair {
        guard let bytes = Hex.decode(secretKey), let pair = try? KeyPair(secretKeyBytes: bytes) else {
            throw StateFileError(.invalid, "field secretKey is not 32 bytes of hex")
        }
        return pair
    }

    /// The credentials when paired; throws when they are present but malformed.
    public func credentials() throws(StateFileError) -> ClientCredentials? {
        guard let authID else { return nil }
        guard let sharedKey, let bytes = Hex.decode(sharedKey), let key = try? SharedKey(rawBytes: bytes),
            let lockPublicKey, let lockUUID
        else { throw StateFileError(.invalid, "fields sharedKey, lockPublicKey and lockUUID: a paired peripheral (field authID) needs all three, the shared key as 32 bytes of hex") }
        return ClientCredentials(authID: authID, sharedKey: key, lockPublicKey: lockPublicKey, lockUUID: lockUUID)
    }

    /// Files larger than this are refused before parsing.
    public static let maxBytes = 64 * 1024

    /// Checks a credentials file and its folder before use, as the lock's state file is checked:
    /// the folder must be this user's and not writable by others; the file, when present, a regular
    /// file of this user (no symbolic link, FIFO, device, socket or folder). Then removes the
    /// temporaries writers that are gone left beside it. Returns the file check, whose warning (a
    /// file readable by others) the caller prints.
    /// - Throws: ``StateFileError`` `unsafe` (or `unreadable` when a system call fails).
    public static func prepare(_ path: String, owner: uid_t = getuid()) throws(StateFileError) -> PrivateFiles.Inspection {
        let inspection: PrivateFiles.Inspection
        do {
            try PrivateFiles.checkFolder(PrivateFiles.parent(of: path), role: "credentials folder", owner: owner)
            inspection = try PrivateFiles.inspectFile(path, role: "credentials file", owner: owner)
        } catch {
            throw StateFileError(error)
        }
        AtomicFile.removeStaleTemporaries(of: path)
        return inspection
    }

    /// Reads and validates a file, through one descriptor opened with `O_NOFOLLOW | O_NONBLOCK` and
    /// checked with `fstat` (a symbolic link, FIFO, device or another user's file is refused with
    /// `unsafe`). Throws ``StateFileError``.
    public static func load(_ path: String, owner: uid_t = getuid()) throws(StateFileError) -> PeripheralCredentialsFile {
        let data: Data
        do {
            data = Data(try PrivateFiles.read(path, role: "credentials file", maximumBytes: maxBytes, owner: owner))
        } catch {
            throw StateFileError(error)
        }
        guard data.count <= maxBytes else { throw StateFileError(.invalid, "\(path): \(data.count) bytes exceed the \(maxBytes) a credentials file may have") }
        let file: PeripheralCredentialsFile
        do {
            file = try JSONDecoder().decode(PeripheralCredentialsFile.self, from: data)
        } catch {
            throw StateFileError.undecodable(path, error)
        }
        guard file.schemaVersion == schemaVersion else {
            throw StateFileError(.unsupportedVersion, "\(path): field schemaVersion is \(file.schemaVersion); this build reads \(schemaVersion)")
        }
        guard (0...100).contains(file.batteryPercent) else {
            throw StateFileError(.invalid, "\(path): field batteryPercent is 0 to 100, not \(file.batteryPercent)")
        }
        do {
            _ = try file.keyPair()
            _ = try file.credentials()
        } catch {
            throw StateFileError(error.code, "\(path): \(error.reason)")
        }
        return file
    }

    /// Writes the file atomically with mode 0600.
    public func save(_ path: String) throws(StateFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(self) else { throw StateFileError(.unwritable, "cannot encode") }
        try AtomicFile.write(data, to: path)
    }
}

/// One entry of a phone's notification list (the app's bell, Nuki Smart Lock FAQ: the battery
/// alert is kept behind the bell symbol). JSON in the phone's state file:
/// `{"event":"batteryCritical","message":"battery critical (18 %): replace the batteries","time":"2026-12-06T09:30:00Z"}`;
/// `time` is the phone's clock (UTC) when it read the state that raised it.
public struct PhoneNotification: Codable, Sendable, Hashable {
    /// The event's name, as in the lock's JSON event stream (`batteryCritical`).
    public var event: String
    public var message: String
    public var time: String

    public init(event: String, message: String, time: String) {
        self.event = event
        self.message = message
        self.time = time
    }
}

extension PhoneNotification {
    /// The battery alerts a phone raises from the messages it read: the first Keyturner States
    /// (0x000C) with the critical-battery bit after a good battery is one alert (its battery
    /// percent, as Keyturner States give it); a good battery re-arms. `alerted` carries that state
    /// from read to read (``PeripheralCredentialsFile/batteryAlerted`` for `latchkey phone`).
    /// Source: Nuki Smart Lock FAQ, the low-battery notification in the app (the bell).
    public static func batteryAlerts(in replies: [NukiMessage], alerted: inout Bool) -> [Int] {
        var percents: [Int] = []
        for case .keyturnerStates(let states) in replies where states.criticalBatteryState.isCritical != alerted {
            alerted = states.criticalBatteryState.isCritical
            if alerted { percents.append(states.criticalBatteryState.percent) }
        }
        return percents
    }
}
