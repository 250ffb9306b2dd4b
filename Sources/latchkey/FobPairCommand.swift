import ArgumentParser

/// `latchkey fob pair`: pairs as ID type fob (the lock must be in pairing mode).
struct FobPairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pair", abstract: "Pair the fob (the lock must be in pairing mode).")
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func run() throws {
        try PeripheralSession.fob(options, discovery, pairing: true) { $0.pair() }
    }
}
