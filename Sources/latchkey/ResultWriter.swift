import ArgumentParser
import BLETransport
import BlueZTransport
import Foundation
import LockHost
import LockSession
import PrivateFiles

/// Writes results to standard output as text lines or JSON Lines, and turns a failed write (closed
/// pipe, full disk) into exit status 1 with a diagnostic instead of losing results silently.
struct ResultWriter {
    let format: OutputFormat
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(format: OutputFormat) { self.format = format }

    func write(_ result: FrameDecoder.Result) throws {
        let line: Data
        switch format {
        case .text: line = Data((result.text + "\n").utf8)
        case .json: line = try encoder.encode(result) + Data("\n".utf8)
        }
        do {
            try FileHandle.standardOutput.write(contentsOf: line)
        } catch {
            Diagnostics.print("cannot write results: \(error.localizedDescription)")
            throw ExitCode.failure
        }
    }
}

/// Diagnostics go to standard error, never mixed into results.
enum Diagnostics {
    static func print(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data(("latchkey: " + message + "\n").utf8))
    }

    /// The sentence for the user of a file, folder or transport error (its reason, without the
    /// internal type name); other errors as they describe themselves.
    static func message(_ error: any Error) -> String {
        switch error {
        case let error as StateFileError: return error.reason
        case let error as TransportError: return error.reason
        case let error as PrivateFileError: return error.message
        case let error as BluetoothError: return error.reason
        default: return "\(error)"
        }
    }
}
