import Foundation
import LockFuzzing

/// Where `--harnesses` reads a target's inputs: the committed seeds `Corpus/<directoryName>/`, or the
/// corpus a campaign grew, `<folder>/<directoryName>/corpus/` (the layout of `Fuzz/campaign --out`).
enum HarnessInputs {
    case seeds(corpusRoot: URL)
    case campaign(outFolder: URL)

    func folder(of target: FuzzTarget) -> URL {
        switch self {
        case .seeds(let root): return root.appendingPathComponent(target.directoryName, isDirectory: true)
        case .campaign(let out):
            return out.appendingPathComponent(target.directoryName, isDirectory: true).appendingPathComponent("corpus", isDirectory: true)
        }
    }
}

/// Every regular file of `folder` (sorted by name), as bytes. Empty when the folder is missing or
/// holds no file.
func inputFiles(in folder: URL) -> [[UInt8]] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.sorted().compactMap { name in
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { return nil }
        return [UInt8](data)
    }
}

/// Runs of one harness row that broke an invariant.
final class ViolationTally {
    var count = 0
}

/// One benchmark operation = one input of the corpus through `FuzzTarget.check`, the inputs taken in
/// turn; a broken invariant is counted in `violations` (the caller fails the run on any).
func harnessReplay(_ target: FuzzTarget, inputs: [[UInt8]], violations: ViolationTally) -> (Int) -> UInt64 {
    var next = 0
    return { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            let input = inputs[next]
            next = next + 1 == inputs.count ? 0 : next + 1
            if target.check(input[...]) != nil { violations.count += 1 }
            acc &+= UInt64(input.count)
        }
        return acc
    }
}

/// `--harnesses`: the cost of each fuzz harness itself, built like this benchmark (release, no
/// sanitizer, no coverage), over its committed seeds or a campaign's grown corpus. Shows what a
/// libFuzzer build of the target could reach at most: its rate is bounded by 1 / (this cost × the
/// instrumentation's slow-down + libFuzzer's own per-input work). Returns false when an input broke
/// an invariant, when a target has no committed seeds (a campaign folder may lack targets), or when
/// no target had any input.
func runHarnesses(_ bench: inout Bench, inputs source: HarnessInputs) -> Bool {
    bench.section("fuzz harnesses without instrumentation: FuzzTarget.check, op = one input, inputs in turn")
    var ok = true
    var measured = 0
    for target in FuzzTarget.allCases {
        let folder = source.folder(of: target)
        let inputs = inputFiles(in: folder)
        guard !inputs.isEmpty else {
            print("  \(target.rawValue): no inputs in \(folder.path)")
            if case .seeds = source { ok = false }
            continue
        }
        let violations = ViolationTally()
        measured += 1
        let mean = inputs.reduce(0) { $0 + $1.count } / inputs.count
        bench.run("\(target.rawValue) (\(inputs.count) inputs)", bytes: mean, harnessReplay(target, inputs: inputs, violations: violations))
        if violations.count > 0 {
            print("  \(target.rawValue): \(violations.count) runs broke an invariant")
            ok = false
        }
    }
    if measured == 0 {
        print("  no target had inputs")
        return false
    }
    return ok
}
