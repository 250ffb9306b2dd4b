import ArgumentParser
import BLETransport
import Foundation
import LockAudit
import LockEmulator
import LockPeripherals

/// The process's environment, read here and handed to the libraries (which read no variables).
enum ProcessEnvironment {
    /// All variables.
    static var variables: [String: String] { ProcessInfo.processInfo.environment }

    /// A new writer for the capture file `$LATCHKEY_CAPTURE` names, or nil when unset (its problems
    /// were refused at start: ``CaptureWriter/environmentProblem(_:)``).
    static func capture() -> CaptureWriter? { CaptureWriter.fromEnvironment(variables) }
}

/// Where emulated devices publish their sockets and advertising data.
struct DiscoveryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Discovery folder (default: $LATCHKEY_DEVICES_DIR, $XDG_RUNTIME_DIR/latchkey/devices or /tmp/latchkey-$UID/devices).", valueName: "dir"))
    var devicesDir: String?

    var folder: DiscoveryFolder { DiscoveryFolder(path: devicesDir, environment: ProcessEnvironment.variables) }

    /// Checks the folder (``BLETransport/DiscoveryFolder/verify(owner:)``), then removes the records
    /// that locks killed without withdrawing them left behind (their process is gone, or its pid
    /// now belongs to another program) and says so on stderr, one line each.
    func cleanStaleRecords() throws {
        try folder.verify()
        for (record, reason) in folder.removeStaleRecords() {
            Diagnostics.print("removed the stale discovery record of \(record.address) (\(reason))")
        }
    }
}

/// `--address` of the commands that pick a lock: a Bluetooth device address, six hex octets
/// separated by colons (Bluetooth Core 5.4, Vol 2, Part B, §1.2).
enum AddressOption {
    /// Throws a usage error (exit 64) unless `text` is nil or an address like `54:D2:72:37:59:9A`.
    static func validate(_ text: String?) throws {
        guard let text else { return }
        guard DeviceAddress(string: text) != nil else {
            throw ValidationError("--address \(text) is not a device address: six hex octets with colons, e.g. 54:D2:72:37:59:9A")
        }
    }
}

/// `--transport` of the lock and of every peripheral: the socket link (discovery folder) or a
/// BlueZ controller, parsed by this one rule (the controller syntax is ``LockAudit/AuditTarget``'s).
enum TransportSpec: Equatable {
    case socket
    case bluez(adapter: String)

    /// Parses `socket` or `bluez:hciN`. Throws the usage error (exit 64) naming both forms.
    init(parsing text: String) throws(ValidationError) {
        if text == "socket" {
            self = .socket
        } else if text.hasPrefix("bluez:"), let adapter = AuditTarget.adapter(String(text.dropFirst("bluez:".count))) {
            self = .bluez(adapter: adapter)
        } else {
            throw ValidationError("--transport is socket or bluez:hciN, not \(text)")
        }
    }

    /// `hciN`, or nil for the socket link.
    var bluezAdapter: String? {
        if case .bluez(let adapter) = self { return adapter }
        return nil
    }
}

/// Options of the keypad and fob commands.
struct PeripheralOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The peripheral's state file (credentials, mode 0600).", valueName: "file"))
    var state: String

    @Option(help: "Address of the lock to use, e.g. 54:D2:72:37:59:9A (default: the first one found; for pairing, the first in pairing mode).")
    var address: String?

    @Option(help: "Transport: socket (discovery folder) or bluez:hciN (scan for the lock's advertising on controller hciN, then L2CAP LE CID 4).")
    var transport: String = "socket"

    /// `hciN` of `--transport bluez:hciN`; `nil` for the socket link.
    var bluezAdapter: String? { (try? TransportSpec(parsing: transport))?.bluezAdapter }

    func validate() throws {
        _ = try TransportSpec(parsing: transport)
        try AddressOption.validate(address)
        guard completeTimeout.isFinite, completeTimeout > 0, completeTimeout <= 600 else {
            throw ValidationError("--complete-timeout is a number of seconds above 0 and at most 600")
        }
    }

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp(
        "Seconds a lock action waits for COMPLETE after ACCEPTED or its last state update before it reads the state back (exit 3).",
        valueName: "seconds"))
    var completeTimeout: Double = 10

    /// ``completeTimeout`` in milliseconds (validated: above 0, at most 600 s).
    var completeGraceMilliseconds: Int64 { Int64((min(max(completeTimeout, 0.001), 600) * 1000).rounded()) }
}

/// Prints peripheral feedback as a result line and decides the exit status: 0 when the request was
/// accepted or pairing finished, 1 when the lock refused it or it failed, 3 when the lock ACCEPTED a
/// lock action but its COMPLETE never came and the line names the state read back.
enum FeedbackPrinter {
    struct Line: Encodable {
        var device: String
        var outcome: String
        var ok: Bool
    }

    /// The exit status of a motor request the lock ACCEPTED whose Status COMPLETE never came: the
    /// line names the lock state read back instead (`fob: unlocked (COMPLETE not received; state
    /// read back)`). Not 0, which means "COMPLETE", nor 1, which means "refused or no answer".
    static let completeMissingExitCode: Int32 = 3

    static func finish(_ feedback: [PeripheralFeedback], device: String, format: OutputFormat) throws {
        var ok = false
        var readBack = false
        for item in feedback {
            let good: Bool
            switch item {
            case .readBack:
                good = true
                readBack = true
            case .accepted, .paired: good = true
            case .lowBattery, .entryTimedOut: good = ok
            default: good = false
            }
            ok = good
            let line = Line(device: device, outcome: Demo.text(item), ok: good)
            switch format {
            case .text: print("\(device): \(line.outcome)")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
        }
        if !ok { throw ExitCode.failure }
        if readBack { throw ExitCode(completeMissingExitCode) }
    }
}

/// `--duration SECONDS` of the serving commands (`lock serve`, `nfc virtual-reader`).
enum ServeDuration {
    /// The longest accepted duration: one year, in seconds.
    static let maximumSeconds: Double = 31_536_000

    /// Throws a usage error (exit 64) unless `seconds` is nil or a finite number in (0, one year].
    static func validate(_ seconds: Double?) throws {
        guard let seconds else { return }
        guard seconds.isFinite, seconds > 0, seconds <= maximumSeconds else {
            throw ValidationError("--duration is a number of seconds above 0 and at most \(Int(maximumSeconds)) (a year)")
        }
    }

    /// The instant `seconds` from now, for a value ``validate(_:)`` accepted; nil for none.
    static func deadline(after seconds: Double?) -> ContinuousClock.Instant? {
        guard let seconds, seconds.isFinite, seconds > 0 else { return nil }
        return ContinuousClock.now + .milliseconds(Int64((min(seconds, maximumSeconds) * 1000).rounded(.down)))
    }
}
