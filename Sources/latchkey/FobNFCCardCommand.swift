import ArgumentParser
import Foundation
import LibNFCTransport
import LockEmulator
import LockNFC
import LockPeripherals
import Synchronization

/// `latchkey fob nfc-card --device CONNSTRING`: the paired fob's NFC card, emulated on a libnfc
/// device (a PN532 in card emulation, or `latchkey nfc virtual-reader`'s card slot). Serves taps
/// until the count is reached; the card's counter is saved to the state file after every answer.
/// SIGINT or SIGTERM stop it cleanly (the card leaves the device's field): exit 0 with `--taps 0`
/// (serve until interrupted), else 128 + the signal number (130, 143).
struct FobNFCCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfc-card", abstract: "Emulate the fob's NFC card on a libnfc device (card emulation).")
    @Option(help: ArgumentHelp("libnfc connection string, e.g. pn532_uart:/dev/ttyUSB0.", valueName: "connstring"))
    var device: String
    @Option(help: "Taps to serve before exiting (0: until interrupted).") var taps: Int = 1
    @Option(help: ArgumentHelp("The fob's state file (credentials, mode 0600).", valueName: "file"))
    var state: String
    @Option(help: "Output format: text or json (JSON Lines).") var format: OutputFormat = .text

    func validate() throws {
        guard taps >= 0 else { throw ValidationError("--taps is 0 or more") }
    }

    struct Line: Encodable {
        var device = "fob"
        var outcome: String
        var counter: UInt32
        var ok: Bool
    }

    func run() throws {
        if let warning = try PeripheralCredentialsFile.prepare(state).warning { Diagnostics.print(warning) }
        var file = try PeripheralCredentialsFile.load(state)
        guard file.kind == .fob else { throw ValidationError("\(state) is a \(file.kind)'s state file, not a fob's") }
        guard let credentials = try file.credentials() else {
            throw ValidationError("this fob is not paired: run `latchkey fob pair --state \(state)` first")
        }
        var card = FobEmulator.card(for: credentials, counter: file.nfcCounter ?? 0)
        let uid = FobEmulator.nfcUID(fobID: file.clientID)
        let emulator: LibNFCCardEmulator
        do {
            emulator = try LibNFCCardEmulator(connstring: device)
        } catch {
            Diagnostics.print(Diagnostics.message(error))
            throw ExitCode.failure
        }
        // SIGINT and SIGTERM end the emulation through libnfc (nfc_abort_command), so the device
        // hears the abort and takes the card out of its field, and the device is closed (libnfc's
        // idle: InRelease) before the process ends. An abort can come before libnfc blocks, so it
        // is repeated until the emulation returned.
        let interruption = Interruption()
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard interruption.signal.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged else { return }
                while !interruption.finished.load(ordering: .acquiring) {
                    emulator.device.abort()
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
            source.resume()
            return source
        }
        var handled = sigset_t()
        sigemptyset(&handled)
        for number in [SIGINT, SIGTERM] { sigaddset(&handled, number) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        defer {
            interruption.finished.store(true, ordering: .releasing)
            for source in sources { source.cancel() }
            emulator.device.close()
        }
        Diagnostics.print("the fob's card is on \(device): waiting for a reader (SIGINT or SIGTERM to stop)")
        var served = 0
        while taps == 0 || served < taps {
            let before = card.counter
            do {
                try emulator.emulate(&card, uid: uid) { answered in
                    // Persist before the next answer can leave the card: a counter is never reused.
                    file.nfcCounter = answered.counter
                    try? file.save(state)
                }
            } catch {
                let number = interruption.signal.load(ordering: .acquiring)
                if number != 0 {
                    // Interrupted: the card left the device's field; the counter file is up to date.
                    let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                    try emit(Line(outcome: "stopped by \(name) after \(served) tap\(served == 1 ? "" : "s") (counter \(card.counter))", counter: card.counter, ok: taps == 0))
                    // 0 when serving until interrupted (--taps 0), else 128 + the signal, as a shell reports it.
                    throw taps == 0 ? ExitCode.success : ExitCode(128 + number)
                }
                try emit(Line(outcome: "card emulation failed: \(error)", counter: card.counter, ok: false))
                throw ExitCode.failure
            }
            served += 1
            let outcome = card.counter > before ? "answered the reader's challenge (counter \(card.counter))" : "released without a challenge"
            try emit(Line(outcome: outcome, counter: card.counter, ok: true))
        }
    }

    private func emit(_ line: Line) throws {
        switch format {
        case .text: print("fob: \(line.outcome)")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(line), as: UTF8.self))
        }
        fflush(nil)
    }
}

/// A signal that asked `fob nfc-card` to stop (0: none yet), and whether its emulation has
/// returned (the signal handler stops repeating its abort then).
final class Interruption: Sendable {
    let signal = Atomic<Int32>(0)
    let finished = Atomic<Bool>(false)
}
