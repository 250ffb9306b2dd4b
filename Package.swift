// swift-tools-version: 6.1
//
// Latchkey: emulated Nuki smart lock, keypad and fob peripherals, their transports and fuzzing.
// Module map and layering: docs/architecture.md §2 (kept in sync with README.md).

import PackageDescription

let package = Package(
    name: "Latchkey",
    products: [
        .library(name: "LockWire", targets: ["LockWire"]),
        .library(name: "LockCrypto", targets: ["LockCrypto"]),
        .library(name: "LockCore", targets: ["LockCore"]),
        .library(name: "LockSession", targets: ["LockSession"]),
        .library(name: "LockHost", targets: ["LockHost"]),
        .library(name: "LockPeripherals", targets: ["LockPeripherals"]),
        .library(name: "LockDriver", targets: ["LockDriver"]),
        .library(name: "LockEmulator", targets: ["LockEmulator"]),
        .library(name: "BLEATT", targets: ["BLEATT"]),
        .library(name: "BLEGATT", targets: ["BLEGATT"]),
        .library(name: "NukiProfile", targets: ["NukiProfile"]),
        .library(name: "BLETransport", targets: ["BLETransport"]),
        .library(name: "PrivateFiles", targets: ["PrivateFiles"]),
        .library(name: "BlueZTransport", targets: ["BlueZTransport"]),
        .library(name: "WireFuzzing", targets: ["WireFuzzing"]),
        .library(name: "NFCFuzzing", targets: ["NFCFuzzing"]),
        .library(name: "LockFuzzing", targets: ["LockFuzzing"]),
        .library(name: "LockAudit", targets: ["LockAudit"]),
        .library(name: "ClientFuzzing", targets: ["ClientFuzzing"]),
        .library(name: "LockFuzzTarget", targets: ["LockFuzzTarget"]),
        .library(name: "LockNFC", targets: ["LockNFC"]),
        .library(name: "LibNFCTransport", targets: ["LibNFCTransport"]),
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

        // epoll(7) and eventfd(2), which Glibc's module does not export (glibc headers only).
        .systemLibrary(name: "CLinux"),

        // Pure Swift wire format of the Nuki BLE API: no Foundation, no C.
        .target(name: "LockWire"),
        // libsodium-backed crypto of the Nuki BLE API.
        .target(name: "LockCrypto", dependencies: ["LockWire", "CSodium"]),
        // The fob's NFC credential protocol (ISO 7816-4 APDUs over ISO 14443-4), sans-I/O, card and reader side.
        .target(name: "LockNFC", dependencies: ["LockWire", "LockCrypto"]),
        // libnfc initiator (keypad reader) and target (fob card) adapters, and the virtual PN532 on a pty
        // (libnfc is LGPL-3.0: only this module and the CLI link it).
        .target(name: "LibNFCTransport", dependencies: ["LockNFC", "LockWire", "CNFC"]),
        // The emulated lock's domain, sans-I/O: authorizations, keypad codes, motor, battery, log, config.
        .target(name: "LockCore", dependencies: ["LockWire"]),
        // The protocol engines at both ends, sans-I/O: pairing, challenges, PIN flows, encryption.
        .target(name: "LockSession", dependencies: ["LockWire", "LockCrypto", "LockCore", "LockNFC", "NukiProfile"]),
        // What the lock takes from its host: the state file and its write-ahead journal (atomic
        // replace, fdatasync, the owner's lock on the file) and the tz database as time-zone rules.
        .target(name: "LockHost", dependencies: ["LockSession", "LockCore", "LockCrypto", "LockWire", "PrivateFiles"]),
        // Checks for files and folders that hold secrets or publish sockets: owner, mode, links, FIFOs.
        .target(name: "PrivateFiles"),
        // Keypad and fob emulators and the hostile client, sans-I/O, on the client session engine.
        .target(name: "LockPeripherals", dependencies: ["NukiProfile", "LockSession", "LockCore", "LockCrypto", "LockWire", "LockNFC"]),
        // The glue between the engines and GATT, both ends (LockGATTPeripheral, NukiGATTCentral), and
        // the one driver that moves PDUs until quiet (PDUDriver), sans-I/O.
        .target(name: "LockDriver", dependencies: ["NukiProfile", "LockSession", "LockCore", "LockWire", "BLEGATT", "BLEATT"]),
        // The runtime: lock and peripherals wired together, clock, state files, event stream, the demo.
        .target(name: "LockEmulator", dependencies: ["LockDriver", "NukiProfile", "CLinux", "LockNFC", "LockPeripherals", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "BLEGATT", "BLETransport", "BLEATT"]),
        // ATT PDUs and bearer (Bluetooth Core Vol 3 Part F), pure Swift.
        .target(name: "BLEATT"),
        // Attribute database, GATT server and client (Core Vol 3 Part G).
        .target(name: "BLEGATT", dependencies: ["BLEATT"]),
        // The Nuki profile in one place: UUIDs, the GATT table and its characteristic ↔ handle map,
        // the client's GATT set-up, advertising data (docs/wire.md §1).
        .target(name: "NukiProfile", dependencies: ["BLEGATT", "BLEATT"]),
        // ATTLink: in-process link, Unix SOCK_SEQPACKET link, discovery folder, btsnoop/pcap capture tap.
        .target(name: "BLETransport", dependencies: ["BLEATT", "NukiProfile", "PrivateFiles"]),
        // The real radio: L2CAP LE sockets on CID 4 and HCI advertising/scanning through libbluetooth
        // (GPL-2.0-or-later: only this module and the CLI link it). Syscalls sit behind a seam.
        .target(name: "BlueZTransport", dependencies: ["NukiProfile", "BLETransport", "BLEATT", "CBlueZ"]),
        // The frame-parser fuzz harnesses (plain frames, encrypted envelope, command payloads,
        // reassembly) and the helpers every harness shares; only LockWire and LockCrypto, so the
        // parser fuzzers link and instrument nothing else (issue 19, speed).
        .target(name: "WireFuzzing", dependencies: ["LockWire", "LockCrypto"]),
        // The fobNFC harness and its reference model of the card (LockNFC only).
        .target(name: "NFCFuzzing", dependencies: ["WireFuzzing", "LockNFC", "LockCrypto", "LockWire"]),
        // One harness function per fuzz target, shared by Fuzz/ and by swift test's corpus replay
        // (re-exports WireFuzzing and NFCFuzzing).
        .target(name: "LockFuzzing", dependencies: ["WireFuzzing", "NFCFuzzing", "LockDriver", "NukiProfile", "LockNFC", "LockWire", "LockCrypto", "LockCore", "LockSession", "LockHost", "LockPeripherals", "BLEATT", "BLEGATT"]),
        // docs/attacks.md §B cases judged from outside a live lock over any ATT link (`latchkey audit`), sans CLI.
        .target(name: "LockAudit", dependencies: ["NukiProfile", "LockEmulator", "LockPeripherals", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "BLETransport", "BLEATT"]),
        // Black-box stateful fuzzing of a live lock inside the encryption (`latchkey fuzz --target`, `latchkey replay`), sans CLI.
        .target(name: "LockFuzzTarget", dependencies: ["NukiProfile", "LockAudit", "LockFuzzing", "LockEmulator", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "BLEATT"]),

        // The hostile lock as a server and `latchkey fuzz-client`'s campaign against client commands;
        // captures turned into seed corpora (issue 14 items 5 and 6), sans CLI.
        .target(name: "ClientFuzzing", dependencies: ["LockDriver", "NukiProfile", "LockEmulator", "LockFuzzing", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "BLEGATT", "BLETransport", "BLEATT"]),

        // The command-line tool. Only it bootstraps logging.
        .executableTarget(
            name: "latchkey",
            dependencies: ["NukiProfile", 
                "LockWire", "LockCrypto", "LockHost", "LockCore", "LockSession", "LockPeripherals", "LockEmulator", "BLETransport", "BLEATT", "BlueZTransport",
                "LockNFC", "LibNFCTransport", "PrivateFiles", "LockAudit", "ClientFuzzing", "LockFuzzTarget",
                "CSodium", "CBlueZ", "CNFC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: the Set A vectors of Tests/Vectors.
        .target(
            name: "LatchkeyTestSupport",
            dependencies: ["LockWire", "LockCrypto", "LockHost", "LockCore", "LockSession", "LockNFC", "LockPeripherals", "LockEmulator"],
            path: "Tests/LatchkeyTestSupport"),
        .testTarget(
            name: "LockWireTests",
            dependencies: ["LockWire", "LatchkeyTestSupport"]
        ),
        .testTarget(
            name: "LockCryptoTests",
            dependencies: ["LockCrypto", "LockWire", "LatchkeyTestSupport"]
        ),
        .testTarget(
            name: "LockCoreTests",
            dependencies: ["LockHost", "LockCore", "LockWire"]
        ),
        .testTarget(
            name: "LockSessionTests",
            dependencies: ["NukiProfile", "LockNFC", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "LatchkeyTestSupport"]
        ),
        .testTarget(
            name: "LockPeripheralsTests",
            dependencies: ["NukiProfile", "LockNFC", "LockPeripherals", "LockSession", "LockCore", "LockCrypto", "LockWire"]
        ),
        .testTarget(
            name: "LockDriverTests",
            dependencies: ["LockDriver", "NukiProfile", "LockSession", "LockCore", "LockCrypto", "LockWire", "BLEGATT", "BLEATT"]
        ),
        .testTarget(
            name: "LockEmulatorTests",
            dependencies: ["LatchkeyTestSupport", "LockNFC", "LockEmulator", "LockPeripherals", "LockSession", "LockHost", "LockCore", "LockWire", "LockCrypto", "BLETransport"]
        ),
        .testTarget(
            name: "SecurityRegressionTests",
            dependencies: ["LockDriver", "NukiProfile", 
                "LockEmulator", "LockPeripherals", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "LockFuzzing", "LockNFC", "LatchkeyTestSupport",
                "BLEATT", "BLEGATT", "BLETransport",
            ],
            exclude: ["README.md"]
        ),
        .testTarget(
            name: "PrivateFilesTests",
            dependencies: ["PrivateFiles"]
        ),
        .testTarget(
            name: "BLEATTTests",
            dependencies: ["BLEATT"]
        ),
        .testTarget(
            name: "LockFuzzingTests",
            dependencies: ["NukiProfile", "LockFuzzing", "LockWire", "LockHost", "LockCore", "LockSession", "LockPeripherals", "BLEATT", "BLEGATT", "LockCrypto", "LockNFC"]
        ),
        .testTarget(
            name: "BLEGATTTests",
            dependencies: ["NukiProfile", "BLEGATT", "BLEATT", "LatchkeyTestSupport"]
        ),
        .testTarget(
            name: "BlueZTransportTests",
            dependencies: ["NukiProfile", "BlueZTransport", "BLETransport", "BLEATT"]
        ),
        .testTarget(
            name: "BLETransportTests",
            dependencies: ["NukiProfile", "BLETransport", "BLEATT", "BLEGATT", "LatchkeyTestSupport"]
        ),
        .testTarget(
            name: "LockNFCTests",
            dependencies: ["LockNFC", "LockCrypto", "LockWire"]
        ),
        .testTarget(
            name: "LibNFCTransportTests",
            dependencies: ["LatchkeyTestSupport", "LibNFCTransport", "LockNFC", "LockEmulator", "LockPeripherals", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "BLETransport"]
        ),
        .testTarget(
            name: "LatchkeyCLITests",
            dependencies: ["NukiProfile", 
                "latchkey",
                // The crash-consistency harness drives `latchkey lock serve` with the real clients.
                "LockFuzzTarget", "LockAudit", "LockEmulator", "LockPeripherals", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "LockNFC", "BLEGATT", "BLEATT", "BLETransport",
            ]
        ),
        .testTarget(
            name: "LockFuzzTargetTests",
            dependencies: ["LockFuzzTarget", "LockFuzzing", "LockWire"]
        ),
        .testTarget(
            name: "LockAuditTests",
            dependencies: ["LockAudit", "LockCore"]
        ),
        .testTarget(
            name: "ClientFuzzingTests",
            dependencies: ["NukiProfile", "ClientFuzzing", "LockFuzzing", "LockSession", "LockHost", "LockCore", "LockCrypto", "LockWire", "BLETransport", "LatchkeyTestSupport"],
            exclude: ["Clients"]
        ),
        .testTarget(
            name: "SystemLibraryTests",
            dependencies: ["CSodium", "CBlueZ", "CNFC"]
        ),
    ]
)

// Bug benchmark (Fuzz/bugbench, issue 19; Fuzz/README.md "Bug benchmark"): with
// LATCHKEY_BUGBENCH=<NAME>:<Module> in the environment, the one module that holds `#if BUGBENCH_<NAME>`
// is compiled with that condition defined, every other module as always. Only Fuzz/bugbench sets it,
// in its own scratch paths. One module's flags change from bug to bug, so the modules below it and
// the dependencies are reused between bugs instead of rebuilt (as `-Xswiftc -D…` did, which changes
// the flags of every module). A value without a `:` or naming no module changes nothing; the script
// unsets any value it inherits and sets its own per build.
if let plant = Context.environment["LATCHKEY_BUGBENCH"], let colon = plant.firstIndex(of: ":") {
    let name = String(plant[..<colon]), module = String(plant[plant.index(after: colon)...])
    for target in package.targets where target.name == module && !name.isEmpty {
        target.swiftSettings = (target.swiftSettings ?? []) + [.define("BUGBENCH_" + name)]
    }
}
