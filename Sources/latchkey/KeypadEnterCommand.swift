import ArgumentParser
import LockEmulator
import LockPeripherals

/// `latchkey keypad enter CODE`: types a six-digit code (Keypad Action with a fresh challenge).
struct KeypadEnterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enter", abstract: "Type a six-digit code (digits 1–9).")
    @Argument(help: "The code, six digits 1–9.") var code: String
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        guard code.count == KeypadEmulator.codeLength, code.allSatisfy({ ("1"..."9").contains($0) }) else {
            throw ValidationError("a code is six digits 1–9")
        }
    }

    func run() throws {
        let value = UInt32(code) ?? 0
        try PeripheralSession.keypad(options, discovery, pairing: false) { $0.enter(code: value, at: LockServer.wallClock(), spacingMilliseconds: 0) }
    }
}
