import ArgumentParser
import Foundation
import LibNFCTransport
import LockCrypto
import LockEmulator
import LockNFC
import LockPeripherals
import LockWire
import Synchronization

/// `latchkey nfc virtual-reader`: virtual PN532s on pseudo-terminals for libnfc's `pn532_uart`
/// driver (`real-stacks.md` §NFC), sharing one simulated RF field. Prints their connection strings
/// (stdout, one per line, or one JSON object) and serves until SIGINT/SIGTERM or `--duration`.
///
/// - Default: a reader and a card slot. Point `latchkey keypad nfc-read --device` at the reader and
///   `latchkey fob nfc-card --device` at the card slot (card emulation): the card is in the
///   reader's field while the fob command serves it.
/// - `--fob-state FILE`: the paired fob's card sits in the reader's field in process (its counter
///   saved to FILE after every answer); no card slot.
/// - `--demo-card`: a Latchkey card with a fixed demo key no lock knows (for `nfc-list`).
/// - `--tag-uid HEX`: a tag that only has this UID.
struct NFCVirtualReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "virtual-reader", abstract: "Serve virtual PN532 devices (pty) for libnfc, joined by a simulated RF field.")
    @Option(help: ArgumentHelp("A paired fob's state file: its card sits in the field.", valueName: "file")) var fobState: String?
    @Flag(help: "A Latchkey card with a fixed demo key sits in the field.") var demoCard = false
    @Option(help: ArgumentHelp("A UID-only tag with this UID (hex, 4/7/10 bytes) sits in the field.", valueName: "hex")) var tagUID: String?
    @Option(parsing: .unconditional, help: "Stop after this many seconds (default: until SIGINT/SIGTERM).") var duration: Double?
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        guard [fobState != nil, demoCard, tagUID != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("choose at most one of --fob-state, --demo-card, --tag-uid")
        }
        if let tagUID {
            guard let bytes = Hex.decode(tagUID), [4, 7, 10].contains(bytes.count) else { throw ValidationError("--tag-uid is 4, 7 or 10 bytes of hex") }
        }
        try ServeDuration.validate(duration)
    }

    /// A tag that has nothing but its UID.
    final class UIDOnlyTag: VirtualFieldCard, @unchecked Sendable {
        let uid: [UInt8]
        init(uid: [UInt8]) { self.uid = uid }
        func activate() -> Bool { true }
        func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? { [0x6A, 0x82] }
        func release() {}
    }

    struct Devices: Encodable {
        var reader: String
        var card: String?
        var inField: String
    }

    func run() throws {
        let field = VirtualRFField()
        var inField = "card slot (latchkey fob nfc-card)"
        var cardSlot: VirtualPN532?
        if let fobState {
            let path = fobState
            let file = try PeripheralCredentialsFile.load(path)
            guard file.kind == .fob, let credentials = try file.credentials() else { throw ValidationError("\(path) is not a paired fob's state file") }
            let stored = Mutex(file)
            let card = FobEmulator.card(for: credentials, counter: file.nfcCounter ?? 0)
            field.place(VirtualCardApplet(card, uid: FobEmulator.nfcUID(fobID: file.clientID)) { counter in
                stored.withLock { file in
                    file.nfcCounter = counter
                    try? file.save(path)
                }
            })
            inField = "fob card of \(path)"
        } else if demoCard {
            let key = NFCCardKey.derive(from: try SharedKey(rawBytes: [UInt8](repeating: 0x4C, count: 32)), credentialID: 1)
            field.place(VirtualCardApplet(NFCCardApplication(credentialID: 1, key: key), uid: [0x08, 0x4C, 0x4B, 0x01]))
            inField = "demo Latchkey card (UID 084C4B01)"
        } else if let tagUID, let uid = Hex.decode(tagUID) {
            field.place(UIDOnlyTag(uid: uid))
            inField = "UID-only tag \(Hex.encode(uid))"
        } else {
            cardSlot = try VirtualPN532(field: field)
        }
        let reader = try VirtualPN532(field: field)
        reader.start()
        cardSlot?.start()
        let devices = Devices(reader: reader.connstring, card: cardSlot?.connstring, inField: inField)
        switch format {
        case .text:
            print("reader \(devices.reader)")
            if let card = devices.card { print("card \(card)") }
            print("in field: \(devices.inField)")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(devices), as: UTF8.self))
        }
        fflush(nil)
        let deadline = ServeDuration.deadline(after: duration)
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in [SIGTERM, SIGINT] { sigaddset(&handled, signal) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        while !stopRequested.load(ordering: .relaxed), deadline.map({ ContinuousClock.now < $0 }) ?? true {
            Thread.sleep(forTimeInterval: 0.05)
        }
        reader.stop()
        cardSlot?.stop()
    }
}
