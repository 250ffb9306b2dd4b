import ArgumentParser

/// `latchkey lock`: the emulated lock.
struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Run the emulated lock, or press its button.",
        subcommands: [LockServeCommand.self, LockPressButtonCommand.self])
}
