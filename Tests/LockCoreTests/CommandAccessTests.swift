import LockCore
import LockWire
import Testing

/// The command × ID-type matrix (CVE-2022-32507 class).
@Suite struct CommandAccessTests {
    @Test func everyDocumentedCommandHasARow() {
        #expect(Set(CommandAccess.rows.keys) == Set(Command.documented.map(\.code)))
    }

    @Test func fobsAndKeypadsReachOnlyTheirCommands() {
        let all = Command.documented.map(\.code)
        #expect(Set(all.filter { CommandAccess.allows($0, from: .fob) }) == [.requestData, .lockAction])
        #expect(Set(all.filter { CommandAccess.allows($0, from: .keypad) }) == [.requestData, .keypadAction])
        #expect(all.filter { CommandAccess.allows($0, from: .app) } == all.filter { CommandAccess.allows($0, from: .bridge) })
        #expect(all.filter { CommandAccess.allows($0, from: .doorSensor) }.isEmpty)
        #expect(!CommandAccess.allows(Command(rawValue: 0x0029), from: .app))
    }

    @Test func lockToClientMessagesAreNeverAccepted() {
        for command in [Command.keyturnerStates, .status, .errorReport, .config, .authorizationEntry, .logEntry, .challenge] {
            #expect(!CommandAccess.allows(command, from: .app), "\(command)")
        }
    }
}
