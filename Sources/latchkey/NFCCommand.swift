import ArgumentParser

/// `latchkey nfc`: NFC tooling (virtual PN532 devices for libnfc).
struct NFCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfc", abstract: "NFC tooling: virtual PN532 readers for libnfc.",
        subcommands: [NFCVirtualReaderCommand.self])
}
