import ArgumentParser
import LockEmulator
import LockPeripherals

/// `latchkey keypad press KEYS`: presses keys one by one ("1"…"9", "L" = the lock key).
struct KeypadPressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "press", abstract: "Press keys: 1–9, L for the lock key.")
    @Argument(help: "Keys, e.g. 456789 or L.") var keys: String
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        guard let parsed = KeypadKey.parse(keys), !parsed.isEmpty else { throw ValidationError("keys are 1–9 and L") }
    }

    func run() throws {
        let parsed = KeypadKey.parse(keys) ?? []
        try PeripheralSession.keypad(options, discovery, pairing: false) { keypad in
            let now = LockServer.wallClock()
            return parsed.flatMap { keypad.press($0, at: now) }
        }
    }
}
