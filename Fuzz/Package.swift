// swift-tools-version: 6.1
//
// Latchkey fuzzing: one libFuzzer executable per target, each only an `LLVMFuzzerTestOneInput` entry
// point that calls the harness in the root package's WireFuzzing, NFCFuzzing or LockFuzzing module
// (`harnessModule`), plus `corpus-gen`, which
// writes the seed inputs. Build and run: README.md in this folder.
//
//   swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address \
//       --product PlainFrameFuzzer --scratch-path .build-fuzz
//
// (`--sanitize=fuzzer --sanitize=address` instruments with only one of the two: see README.md.)
//
// Build only the fuzzer products with the fuzzer sanitizer; corpus-gen has its own main and is built
// without sanitizers (scratch path .build).

import PackageDescription

let fuzzers = [
    "PlainFrameFuzzer", "EncryptedEnvelopeFuzzer", "CommandPayloadsFuzzer", "ReassemblyFuzzer", "AttGATTFuzzer",
    "LockSessionFuzzer", "PairingResponderFuzzer", "KeypadEntryFuzzer", "StateFileFuzzer", "FobNFCFuzzer",
]

// The root package's module each fuzzer links (issue 19, speed): libFuzzer scans and clears the
// coverage counters of every instrumented function linked in after each input, so a frame parser
// linked with the whole lock paid for tens of thousands of counters it never touches. The parsers
// link WireFuzzing (LockWire, LockCrypto), fobNFC NFCFuzzing (plus LockNFC); the stateful targets
// need the lock and link LockFuzzing.
let harnessModule: [String: String] = [
    "PlainFrameFuzzer": "WireFuzzing", "EncryptedEnvelopeFuzzer": "WireFuzzing", "CommandPayloadsFuzzer": "WireFuzzing",
    "ReassemblyFuzzer": "WireFuzzing", "FobNFCFuzzer": "NFCFuzzing",
]

let package = Package(
    name: "LatchkeyFuzz",
    products: fuzzers.map { .executable(name: $0, targets: [$0]) } + [
        .executable(name: "corpus-gen", targets: ["CorpusGen"]),
    ],
    dependencies: [
        // The root package, named explicitly so the identity does not depend on the checkout's folder name.
        .package(name: "Latchkey", path: ".."),
    ],
    targets: fuzzers.map {
        .executableTarget(name: $0, dependencies: (harnessModule[$0].map { $0 == "WireFuzzing" ? [$0] : [$0, "WireFuzzing"] } ?? ["LockFuzzing"]).map {
            .product(name: $0, package: "Latchkey")
        })
    } + [
        .executableTarget(
            name: "CorpusGen",
            dependencies: [
                .product(name: "LockFuzzing", package: "Latchkey"),
                .product(name: "LockWire", package: "Latchkey"),
            ]
        ),
    ]
)
