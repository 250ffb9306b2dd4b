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

    @Test func repositoryRootIsFoundFromASubfolder() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = try #require(FuzzCommand.repositoryRoot(from: here))
        #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("Fuzz/campaign").path))
        #expect(FuzzCommand.repositoryRoot(from: URL(fileURLWithPath: "/proc/self")) == nil)
    }
}
