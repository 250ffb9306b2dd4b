// swift-tools-version: 6.1
//
// Latchkey: emulated Nuki smart lock, keypad and fob peripherals, their transports and fuzzing.
// Module map and layering: ../shared/docs/design.md §2 (kept in sync with README.md).

import PackageDescription

let package = Package(
    name: "Latchkey",
    products: [
        .library(name: "LockWire", targets: ["LockWire"]),
        .library(name: "LockCrypto", targets: ["LockCrypto"]),
        .executable(name: "latchkey", targets: ["latchkey"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // System libraries. Only adapter modules import them, always with `internal import`.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CBlueZ",
            pkgConfig: "bluez",
            providers: [.apt(["libbluetooth-dev"])]
        ),
        .systemLibrary(
            name: "CNFC",
            pkgConfig: "libnfc",
            providers: [.apt(["libnfc-dev"])]
        ),

        // Pure Swift wire format of the Nuki BLE API: no Foundation, no C.
        .target(name: "LockWire"),
        // libsodium-backed crypto of the Nuki BLE API.
        .target(name: "LockCrypto", dependencies: ["LockWire", "CSodium"]),

        // The command-line tool. Only it bootstraps logging.
        .executableTarget(
            name: "latchkey",
            dependencies: [
                "LockWire", "LockCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(
            name: "LockWireTests",
            dependencies: ["LockWire"]
        ),
        .testTarget(
            name: "LockCryptoTests",
            dependencies: ["LockCrypto", "LockWire"]
        ),
        .testTarget(
            name: "LatchkeyCLITests",
            dependencies: ["latchkey"]
        ),
        .testTarget(
            name: "SystemLibraryTests",
            dependencies: ["CSodium", "CBlueZ", "CNFC"]
        ),
    ]
)
