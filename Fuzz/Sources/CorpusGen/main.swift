// corpus-gen: writes the unminimised seed inputs of every fuzz target (LockFuzzing.SeedCorpus) from
// the Set A transcript, one file per input named by a content hash (FNV-1a 64).
//
//   corpus-gen <SetA.json> <output dir>     writes <output dir>/<Target>/<hash>
//   corpus-gen --missing                    lists documented commands with no generated sample
//
// Used by Fuzz/seed-corpus, which then minimises each folder into Corpus/<Target>/ with -merge=1.
import Foundation
import LockFuzzing
import LockWire

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("corpus-gen: \(message)\n".utf8))
    exit(1)
}

func fnv1a64(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--missing"] {
    for (name, context) in [("smartLock", WireContext.smartLock), ("ultra", .ultra)] {
        let missing = SeedCorpus.commandsWithoutSample(context: context)
        print("\(name): \(missing.isEmpty ? "every documented command has a sample" : missing.map(\.description).joined(separator: ", "))")
    }
    exit(0)
}
guard arguments.count == 2 else { fail("usage: corpus-gen <SetA.json> <output dir> | --missing") }

guard let data = FileManager.default.contents(atPath: arguments[0]),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let hex = json["hex"] as? [String: String] else {
    fail("cannot read the hex object of \(arguments[0])")
}
var transcript: [String: [UInt8]] = [:]
for (key, value) in hex {
    guard let bytes = Hex.decode(value) else { fail("\(key) is not hex") }
    transcript[key] = bytes
}

let output = URL(fileURLWithPath: arguments[1])
for target in FuzzTarget.allCases {
    let folder = output.appendingPathComponent(target.directoryName)
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
        fail("cannot create \(folder.path): \(error)")
    }
    let seeds = SeedCorpus.seeds(for: target, transcript: transcript)
    var written = Set<String>()
    for seed in seeds {
        // Every seed must already pass its harness: a seed that breaks an invariant is a finding.
        if let violation = target.check(seed[...]) { fail("\(target.directoryName) seed \(Hex.encode(seed)): \(violation)") }
        let name = fnv1a64(seed)
        guard written.insert(name).inserted else { continue }
        do {
            try Data(seed).write(to: folder.appendingPathComponent(name))
        } catch {
            fail("cannot write \(name): \(error)")
        }
    }
    print("\(target.directoryName): \(written.count) seeds")
}
