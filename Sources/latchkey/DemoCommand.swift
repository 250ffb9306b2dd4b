import ArgumentParser
import BLETransport
import Foundation
import LockEmulator

extension Demo.Link: ExpressibleByArgument {}

/// `latchkey demo`: the main job on its built-in default, with no set-up.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a lock, a phone, a keypad and a fob through a simulated week and print the timeline.",
        discussion: """
            The phone pairs as the admin, adds a keypad code for Mondays 09:00–12:00 and limits the \
            fob's right to Friday 18:00. The week then tries the code inside and outside its window, \
            walks a brute-force burst through the three lockout tiers, presses the fob once, twice and \
            three times, turns the key by hand and refuses an auto unlock as too recent, lets the \
            battery fall under 20 %, runs out the fob's right and revokes the fob. Virtual clock and \
            seeded randomness: every run prints the same timeline. The devices reach the lock over \
            the Unix socket link by default (ATT through the Nuki GATT server, as between latchkey \
            processes); --link in-process or engines give the same timeline.
            """
    )

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the week's ATT traffic here (btsnoop; .pcap for pcap). \"\" for none.", valueName: "file"))
    var capture: String = "latchkey-demo.btsnoop"

    @Option(help: ArgumentHelp(
        "How the devices reach the lock: socket (ATT over the Unix socket link, through the GATT server), in-process (ATT over the in-process link) or engines (straight between the protocol engines).",
        valueName: "link"))
    var link: Demo.Link = .socket

    func run() throws {
        var writer: CaptureWriter?
        if !capture.isEmpty {
            do {
                writer = try CaptureWriter(path: capture)
            } catch {
                Diagnostics.print("cannot write the capture \(capture): \(error)")
                throw ExitCode.failure
            }
        }
        var demo: Demo
        do {
            demo = try Demo(link: link, capture: writer)
        } catch {
            Diagnostics.print("cannot set up the demo over the \(link.rawValue) link: \(error)")
            throw ExitCode.failure
        }
        let timeline = demo.run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines: [String] = []
        switch format {
        case .text:
            let deviceWidth = timeline.map(\.device.count).max() ?? 6
            let actionWidth = min(timeline.map(\.action.count).max() ?? 20, 48)
            for entry in timeline {
                lines.append(
                    entry.time + "  " + entry.device.padding(toLength: deviceWidth, withPad: " ", startingAt: 0) + "  "
                        + entry.action.padding(toLength: actionWidth, withPad: " ", startingAt: 0) + "  → " + entry.outcome)
            }
        case .json:
            for entry in timeline { lines.append(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
        }
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            Diagnostics.print("cannot write results: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        if !capture.isEmpty { Diagnostics.print("capture written to \(capture) (open it in Wireshark, or: tshark -r \(capture))") }
    }
}
