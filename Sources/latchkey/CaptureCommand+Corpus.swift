import ArgumentParser
import ClientFuzzing
import LockCrypto

extension CaptureCommand {
    /// `--to-corpus DIR`: the capture's client messages as seeds (``ClientFuzzing/CaptureCorpus``).
    /// Prints one line per file and a summary; exit 1 when the capture cannot be read or no seed
    /// came out of it.
    func writeCorpus(to folder: String, keys: [SharedKey]) throws {
        let report: CaptureCorpus.Report
        do {
            report = try CaptureCorpus.write(file, keys: keys, to: folder)
        } catch {
            Diagnostics.print("\(error)")
            throw ExitCode.failure
        }
        for name in report.files { print("\(folder)/\(name)") }
        print("\(report.messages) client messages from \(report.connections) connections → \(report.files.count) seed files"
            + (report.unopened > 0 ? "; \(report.unopened) encrypted messages no key opened (give --key)" : ""))
        if report.files.isEmpty { throw ExitCode.failure }
    }
}
