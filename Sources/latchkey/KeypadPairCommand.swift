import ArgumentParser

/// `latchkey keypad pair`: pairs as ID type keypad (the lock must be in pairing mode).
struct KeypadPairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pair", abstract: "Pair the keypad (the lock must be in pairing mode).")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        try PeripheralSession.keypad(options, discovery, pairing: true) { $0.pair() }
    }
}
