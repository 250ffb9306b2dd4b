import ArgumentParser
import LibNFCTransport
import LockEmulator
import LockNFC
import LockPeripherals
import LockWire

/// `latchkey keypad nfc-read --device CONNSTRING`: a card is at the keypad's reader: the keypad
/// fetches a challenge from the lock, the reader (libnfc initiator) gets the card's answer to it,
/// and the keypad relays it in Keypad Action source 0x80 (Latchkey extension).
struct KeypadNFCReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfc-read", abstract: "Read the NFC card at the keypad's reader (libnfc) and relay its answer to the lock.")
    @Option(help: ArgumentHelp("libnfc connection string of the reader, e.g. pn532_uart:/dev/ttyUSB0.", valueName: "connstring"))
    var device: String
    @Option(help: "Action asked for: unlock, lock, unlatch, lockngo or intelligent.") var action: String = "unlock"
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    static let actions: [String: KeypadLockAction] = [
        "intelligent": .intelligent, "unlock": .unlock, "lock": .lock, "unlatch": .unlatch, "lockngo": .lockNGo,
    ]

    func validate() throws {
        guard Self.actions[action] != nil else { throw ValidationError("--action is one of \(Self.actions.keys.sorted().joined(separator: ", "))") }
    }

    func run() throws {
        let connstring = device
        let requested = Self.actions[action] ?? .unlock
        try PeripheralSession.keypad(options, discovery, pairing: false, cardReader: { challenge in
            Result { () throws(NFCError) -> NFCCardRead in
                let reader = try LibNFCReader(connstring: connstring)
                defer { reader.device.close() }
                return try reader.read(challenge: challenge)
            }
        }) { keypad in
            keypad.codeAction = requested
            return keypad.cardPresented(at: LockServer.wallClock())
        }
    }
}
