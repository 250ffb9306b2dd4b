import ArgumentParser
import BLETransport
import Foundation
import LockWire

/// `latchkey scan`: lists the emulated devices advertising in the discovery folder, from their AD bytes.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scan", abstract: "List advertising emulated locks (parsed from their AD bytes).")
    @OptionGroup var discovery: DiscoveryOptions
    @Option(help: "Output format: text or json (JSON Lines).") var format: OutputFormat = .text

    struct Line: Encodable {
        var address: String
        var name: String?
        var mode: String
        var advertisingData: String
        var socket: String
    }

    func run() throws {
        try discovery.cleanStaleRecords()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for device in DiscoveryScanner(folder: discovery.folder).scan() {
            var mode = "unknown"
            if case .uninitialized = device.nuki?.mode { mode = "uninitialized" }
            if case .pairing = device.nuki?.mode { mode = "pairing" }
            if case .paired(let changed) = device.nuki?.mode { mode = changed ? "paired (state changed)" : "paired" }
            let line = Line(address: device.record.address.description, name: device.nuki?.localName, mode: mode,
                            advertisingData: Hex.encode(device.advertisingData), socket: device.record.socket)
            switch format {
            case .text: print("\(line.address)  \(line.name ?? "?")  \(line.mode)  AD \(line.advertisingData)")
            case .json: print(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
        }
    }
}
