// swift-tools-version: 6.1
//
// Latchkey fuzzing: one libFuzzer executable per target, each only an `LLVMFuzzerTestOneInput` entry
// point that calls the harness in the root package's LockFuzzing module, plus `corpus-gen`, which
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
        .executableTarget(name: $0, dependencies: [.product(name: "LockFuzzing", package: "Latchkey")])
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
