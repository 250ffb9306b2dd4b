import Foundation
import LockCore
import LockEmulator
import LockWire
import Synchronization

/// Set by SIGTERM or SIGINT: the serve loop ends, the advertising record is withdrawn.
let stopRequested = Atomic<Bool>(false)

/// Prints the lock server's events as text or JSON Lines (events are results of `lock serve`).
struct EventPrinter {
    let format: OutputFormat

    func print(_ event: LockServer.Event) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line: String
        switch format {
        case .json:
            line = (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        case .text:
            line = Self.text(event)
        }
        Swift.print(line)
        switch event {
        case .storageFailed, .storageWarning: Diagnostics.print(Self.text(event))
        default: break
        }
        fflush(nil)
    }

    static func text(_ event: LockServer.Event) -> String {
        switch event {
        case .lock(let lockEvent): return "lock: \(lockEvent)"
        case .connected(let id): return "connection \(id) open"
        case .disconnected(let id, let reason): return "connection \(id) closed: \(reason)"
        case .refused(let id, let code, let command, let reason): return "connection \(id): refused \(command) with \(code): \(reason)"
        case .listening(let location, let name): return "listening: \(name) at \(location)"
        case .storageFailed(let reason): return "storage failed: \(reason); changes are refused with ERROR_UNKNOWN until the state file can be written"
        case .storageRecovered: return "storage recovered: the state file is written again"
        case .storageWarning(let reason): return "storage warning: \(reason)"
        }
    }
}
