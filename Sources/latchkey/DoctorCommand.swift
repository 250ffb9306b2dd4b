import ArgumentParser
internal import CBlueZ
internal import CSodium
import BLETransport
import BlueZTransport
import Foundation
import LibNFCTransport
import LockCrypto
import LockNFC
import LockWire

/// `latchkey doctor`: which system libraries and transports work on this machine, and why not.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check which system libraries and transports work here.",
        discussion: "Exits 0 when the crypto works (everything else is optional), 1 otherwise."
    )

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    @OptionGroup var discovery: DiscoveryOptions

    /// One line of the report. JSON (`--format json`, one object per line): `check` (the library
    /// or transport), `status` (one of ``Status``'s raw values), `detail`.
    struct Check: Encodable {
        /// What a check found; the raw values are the output format (text and JSON).
        enum Status: String, Encodable {
            /// Works here.
            case ok
            /// Present but broken (a failed call, a wrong answer).
            case failed
            /// Present but refused (e.g. permission to open an HCI socket).
            case refused
            /// Not installed, or no hardware or VM to use.
            case unavailable
        }

        var check: String
        var status: Status
        var detail: String
    }

    func run() throws {
        let checks = [crypto(), unixSockets(), discoveryFolder(), bluetooth(), bluezVMLane(), nfc(), tshark()]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines: [String] = []
        for check in checks {
            switch format {
            case .text:
                lines.append(check.check.padding(toLength: 20, withPad: " ", startingAt: 0) + " "
                    + check.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + check.detail)
            case .json:
                lines.append(String(decoding: try encoder.encode(check), as: UTF8.self))
            }
        }
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            Diagnostics.print("cannot write results: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        if checks[0].status != .ok { throw ExitCode.failure }
    }

    /// libsodium: version, and a pairing-style key agreement plus a secretbox round trip.
    func crypto() -> Check {
        guard sodium_init() >= 0 else { return Check(check: "libsodium", status: .failed, detail: "sodium_init failed") }
        let version = String(cString: sodium_version_string())
        do {
            let random = SeededRandomSource(seed: 1)
            let a = try KeyPair(using: random)
            let b = try KeyPair(using: random)
            let s1 = try SharedKey(ownKeyPair: a, peerPublicKey: b.publicKey)
            let s2 = try SharedKey(ownKeyPair: b, peerPublicKey: a.publicKey)
            let nonce = random.secretboxNonce()
            let box = try SecretBox.seal([1, 2, 3], nonce: nonce, key: s1)
            guard try SecretBox.open(box, nonce: nonce, key: s2) == [1, 2, 3] else {
                return Check(check: "libsodium", status: .failed, detail: "\(version): secretbox round trip differs")
            }
            return Check(check: "libsodium", status: .ok, detail: "\(version): X25519, HSalsa20, XSalsa20-Poly1305 work")
        } catch {
            return Check(check: "libsodium", status: .failed, detail: "\(version): \(error)")
        }
    }

    /// The socket link: Unix SOCK_SEQPACKET (one ATT PDU per datagram).
    func unixSockets() -> Check {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &fds) == 0 else {
            return Check(check: "socket link", status: .unavailable, detail: "socketpair(AF_UNIX, SOCK_SEQPACKET): \(String(cString: strerror(errno)))")
        }
        close(fds[0])
        close(fds[1])
        return Check(check: "socket link", status: .ok, detail: "Unix SOCK_SEQPACKET sockets work")
    }

    /// Where emulated devices publish their sockets and advertising data: the folder that
    /// `lock serve`, `scan` and the peripherals use with the same `--devices-dir` and environment
    /// (``BLETransport/DiscoveryFolder``: `$LATCHKEY_DEVICES_DIR`, `$XDG_RUNTIME_DIR`), checked as
    /// they check it (owner, mode) and for write access; absent, its nearest existing parent must
    /// be writable so that a lock can create it.
    func discoveryFolder() -> Check {
        let folder = discovery.folder
        do {
            try folder.verify()
        } catch {
            return Check(check: "discovery folder", status: .refused, detail: error.reason)
        }
        var existing = folder.path
        while !FileManager.default.fileExists(atPath: existing), existing != "/", !existing.isEmpty {
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard access(existing, W_OK | X_OK) == 0 else {
            let what = existing == folder.path ? "" : " (it would be created in \(existing))"
            return Check(check: "discovery folder", status: .unavailable, detail: "\(folder.path): not writable\(what)")
        }
        let devices = DiscoveryScanner(folder: folder).scan().count
        let state = existing == folder.path ? "\(devices) advertising" : "created by the first lock"
        return Check(check: "discovery folder", status: .ok, detail: "\(folder.path) (\(state))")
    }

    /// The real radio: kernel Bluetooth (AF_BLUETOOTH), an HCI controller, through libbluetooth.
    func bluetooth() -> Check {
        let fd = socket(AF_BLUETOOTH, Int32(SOCK_SEQPACKET.rawValue), BTPROTO_L2CAP)
        guard fd >= 0 else {
            // The same words as every other entry point (README "No Bluetooth?").
            guard errno != EAFNOSUPPORT else { return Check(check: "bluez", status: .unavailable, detail: BluetoothError.noBluetoothReason) }
            return Check(check: "bluez", status: .unavailable, detail: "L2CAP socket: \(String(cString: strerror(errno))); use the socket link, or the VM lane")
        }
        close(fd)
        let device = hci_get_route(nil)
        guard device >= 0 else {
            return Check(check: "bluez", status: .unavailable, detail: "kernel Bluetooth present, but no HCI controller is up")
        }
        let daemon = Self.bluetoothdRunning() ? "; bluetoothd runs: stop it for the lock role (it serves GATT on CID 4)" : ""
        return Check(check: "bluez", status: .ok, detail: "L2CAP LE sockets work; controllers \(Self.controllers().joined(separator: ", ")), first up hci\(device)\(daemon)")
    }

    /// NFC through libnfc (version, and whether a context opens; devices are not probed).
    func nfc() -> Check {
        let version = LibNFCDevice.libraryVersion
        guard LibNFCDevice.contextWorks() else { return Check(check: "libnfc", status: .failed, detail: "libnfc \(version): nfc_init failed") }
        // A virtual PN532 on a pty with a demo card in its field, read through libnfc.
        let virtual: String
        do {
            let field = VirtualRFField()
            let key = NFCCardKey.derive(from: try SharedKey(rawBytes: [UInt8](repeating: 0x4C, count: 32)), credentialID: 1)
            field.place(VirtualCardApplet(NFCCardApplication(credentialID: 1, key: key), uid: [0x08, 0x4C, 0x4B, 0x01]))
            let device = try VirtualPN532(field: field, pollTimeoutMilliseconds: 500)
            device.start()
            defer { device.stop() }
            let reader = try LibNFCReader(connstring: device.connstring)
            defer { reader.device.close() }
            let read = try reader.read(challenge: .zero)
            virtual = read.assertion != nil ? "a virtual PN532 (pty) answers through libnfc" : "virtual PN532: the demo card did not authenticate"
        } catch {
            virtual = "virtual PN532 through libnfc failed: \(error)"
        }
        return Check(
            check: "libnfc", status: .ok,
            detail: "libnfc \(version) loads (devices are chosen by connstring, e.g. pn532_uart:/dev/ttyUSB0); \(virtual)")
    }

    /// tshark, to read captures.
    func tshark() -> Check {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { $0 + "/tshark" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return Check(check: "tshark", status: .unavailable, detail: "not installed (apt-get install tshark) — captures can still be written") }
        return Check(check: "tshark", status: .ok, detail: path)
    }
}
