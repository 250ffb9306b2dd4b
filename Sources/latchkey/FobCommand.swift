import ArgumentParser

/// `latchkey fob`: an emulated Nuki Fob (ID type fob).
struct FobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fob", abstract: "Pair an emulated fob with a serving lock, or press its button.",
        subcommands: [FobPairCommand.self, FobPressCommand.self, FobNFCCardCommand.self])
}
