import ArgumentParser
import LockEmulator

/// `latchkey fob press [--count 1|2|3]`: presses the button (fob action 1, 2 or 3 of the lock's Config).
struct FobPressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "press", abstract: "Press the button 1, 2 or 3 times.")
    @Option(help: "Presses within the press window: 1, 2 or 3.") var count: Int = 1
    @OptionGroup var options: PeripheralOptions
    @OptionGroup var discovery: DiscoveryOptions

    func validate() throws {
        guard (1...3).contains(count) else { throw ValidationError("--count is 1, 2 or 3") }
    }

    func run() throws {
        let presses = count
        try PeripheralSession.fob(options, discovery, pairing: false) { $0.press(count: presses, at: LockServer.wallClock()) }
    }
}
