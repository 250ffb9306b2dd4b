import ArgumentParser
import Foundation
import Testing

@testable import latchkey

/// `latchkey fuzz`: options are handed to `Fuzz/campaign` in its own syntax; bad values are usage errors.
@Suite struct FuzzCommandTests {
    @Test func optionsBecomeCampaignArguments() throws {
        let command = try FuzzCommand.parse(["--total", "90", "--fork", "2", "--merge", "lockSession", "keypadEntry"])
        #expect(command.campaignArguments == ["--total", "90", "--fork", "2", "--merge", "lockSession", "keypadEntry"])
        let plain = try FuzzCommand.parse(["--per-target", "30"])
        #expect(plain.campaignArguments == ["--per-target", "30"])
    }

    @Test func badValuesAreUsageErrors() {
        #expect(throws: (any Error).self) { try FuzzCommand.parse(["--fork", "0"]) }
        #expect(throws: (any Error).self) { try FuzzCommand.parse(["--total", "10", "--per-target", "5"]) }
        #expect(throws: (any Error).self) { try FuzzCommand.parse(["--total", "-1"]) }
        #expect(FuzzCommand.exitCode(for: ValidationError("x")) == .validationFailure)
    }

    /// The script itself refuses what libFuzzer would misread (`-max_total_time=0` runs forever) before
    /// it builds anything, with exit 64 and a message.
    @Test(arguments: [
        (["--per-target", "0"], "--per-target needs a whole number of at least 1, not '0'"),
        (["--per-target", "abc"], "--per-target needs a whole number of at least 1, not 'abc'"),
        (["--total", "-3"], "--total needs a whole number of at least 1, not '-3'"),
        (["--total", "5", "--per-target", "5"], "give --total or --per-target, not both"),
        (["--fork", "0"], "--fork needs a whole number of at least 1, not '0'"),
        (["--out"], "--out needs a folder"),
        (["--persistence"], "unknown option --persistence"),
    ])
    func campaignScriptRefusesBadValues(arguments: [String], message: String) throws {
        let root = try #require(FuzzCommand.repositoryRoot(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()))
        let (status, stderr) = try Self.runCampaign(root: root, arguments: ["--no-build"] + arguments)
        #expect(status == 64)
        #expect(stderr.trimmingCharacters(in: .whitespacesAndNewlines) == message)
    }

    @Test func campaignScriptRefusesAnUnknownPersistenceMode() throws {
        let root = try #require(FuzzCommand.repositoryRoot(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()))
        let (status, stderr) = try Self.runCampaign(
            root: root, arguments: ["--no-build", "--per-target", "1", "lockSession"], environment: ["LATCHKEY_FUZZ_PERSISTENCE": "xyz"])
        #expect(status == 64)
        #expect(stderr.contains("LATCHKEY_FUZZ_PERSISTENCE must be at-reboots or every-operation, not 'xyz'"))
    }

    static func runCampaign(root: URL, arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        try MultiProcessTests.runForErrors(
            executable: root.appendingPathComponent("Fuzz/campaign").path, arguments, in: root.path, environment: environment)
    }

    @Test func repositoryRootIsFoundFromASubfolder() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = try #require(FuzzCommand.repositoryRoot(from: here))
        #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("Fuzz/campaign").path))
        #expect(FuzzCommand.repositoryRoot(from: URL(fileURLWithPath: "/proc/self")) == nil)
    }
}
