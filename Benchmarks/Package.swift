// swift-tools-version: 6.1
//
// Latchkey benchmarks: encrypted-frame cost of LockWire + LockCrypto against raw libsodium, sessions, the
// runtime, and the fuzz harnesses without instrumentation.
// Run with `swift run -c release --package-path Benchmarks latchkey-bench` (see README.md).

import PackageDescription

let package = Package(
    name: "LatchkeyBenchmarks",
    products: [
        .executable(name: "latchkey-bench", targets: ["LatchkeyBench"]),
    ],
    dependencies: [
        // The root package, named explicitly so the identity does not depend on the checkout's folder name.
        .package(name: "Latchkey", path: ".."),
    ],
    targets: [
        // Raw libsodium for the baseline rows. The root package's CSodium is not a product.
        .systemLibrary(
            name: "CSodiumBench",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .executableTarget(
            name: "LatchkeyBench",
            dependencies: [
                "CSodiumBench",
                .product(name: "LockWire", package: "Latchkey"),
                .product(name: "LockCrypto", package: "Latchkey"),
                .product(name: "LockCore", package: "Latchkey"),
                .product(name: "LockSession", package: "Latchkey"),
                .product(name: "LockHost", package: "Latchkey"),
                .product(name: "LockPeripherals", package: "Latchkey"),
                .product(name: "LockEmulator", package: "Latchkey"),
                .product(name: "BLETransport", package: "Latchkey"),
                .product(name: "LockFuzzing", package: "Latchkey"),
            ]
        ),
    ]
)
