import ArgumentParser

/// `latchkey lock`: the emulated lock.
struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Run the emulated lock, or work its physical side.",
        subcommands: [
            LockServeCommand.self, LockButtonCommand.self, LockKeyTurnCommand.self, LockDoorCommand.self, LockBatteryCommand.self,
            LockClockCommand.self, LockStateCommand.self, LockPressButtonCommand.self,
        ])
}
