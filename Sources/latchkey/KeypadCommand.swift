import ArgumentParser

/// `latchkey keypad`: an emulated Nuki Keypad (ID type keypad).
struct KeypadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keypad", abstract: "Pair an emulated keypad with a serving lock, or type on it.",
        subcommands: [KeypadPairCommand.self, KeypadEnterCommand.self, KeypadPressCommand.self, KeypadNFCReadCommand.self])
}
