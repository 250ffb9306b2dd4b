import Foundation
import LockFuzzing
import Testing

/// Replays every seed (`Corpus/<Target>/`) and every regression (`Corpus/Regressions/<Target>/`) through
/// the same harness functions the libFuzzer entry points call, without sanitizers (`docs/attacks.md` §C.4:
/// machines without libFuzzer still check regressions).
@Suite struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus")

    /// Input files of a folder: everything but READMEs and dotfiles, sorted.
    static func inputs(_ folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("README") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsPassTheHarness(target: FuzzTarget) throws {
        let files = Self.inputs(Self.corpus.appendingPathComponent(target.directoryName))
        #expect(!files.isEmpty, "Corpus/\(target.directoryName)/ has no seeds; run Fuzz/seed-corpus")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(target.check(bytes[...]) == nil, "\(target.directoryName)/\(file.lastPathComponent)")
            target.run(bytes)  // the entry point's exact path; traps on a violation
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionsPassTheHarness(target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent("Regressions").appendingPathComponent(target.directoryName)
        let files = Self.inputs(folder)
        #expect(!files.isEmpty, "Corpus/Regressions/\(target.directoryName)/ is missing or empty: every target replays its crashes and known attacks")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(target.check(bytes[...]) == nil, "Regressions/\(target.directoryName)/\(file.lastPathComponent)")
            target.run(bytes)
        }
    }
}
