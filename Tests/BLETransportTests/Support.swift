import BLEATT
import BLETransport
import Foundation
import Testing

/// Parses "0A 03 00" into bytes; an empty array on junk, which no vector is.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") })
    guard digits.count % 2 == 0 else { return [] }
    var bytes: [UInt8] = []
    var i = 0
    while i < digits.count {
        guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return [] }
        bytes.append(byte)
        i += 2
    }
    return bytes
}

/// A fresh private directory under /tmp, removed by the caller.
func temporaryDirectory(_ name: String) throws -> String {
    let path = "/tmp/latchkey-test-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The tshark executable on PATH, or `nil`: capture dissection tests skip without it.
let tsharkPath: String? = {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.map { "\($0)/tshark" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// `tshark -r file -T fields -e btatt.opcode -e btatt.handle` as (opcode, handle) pairs; handle is
/// `nil` for PDUs without one (responses, confirmations).
func dissect(_ file: String) throws -> [(opcode: UInt8, handle: UInt16?)] {
    guard let tshark = tsharkPath else { return [] }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tshark)
    process.arguments = ["-r", file, "-T", "fields", "-e", "btatt.opcode", "-e", "btatt.handle"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard let first = fields.first, let opcode = UInt8(first.replacingOccurrences(of: "0x", with: ""), radix: 16) else { return nil }
        let handle = fields.count > 1 ? UInt16(fields[1].split(separator: ",").first.map { String($0).replacingOccurrences(of: "0x", with: "") } ?? "", radix: 16) : nil
        return (opcode, handle)
    }
}

/// Receives on `link` until a PDU arrives or `deadline` passes (in-process links never wait, so
/// this spins briefly).
func receiveWithin(_ link: any ATTLink, _ deadline: Duration = .seconds(5)) throws -> [UInt8]? {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while clock.now < end {
        if let pdu = try link.receive(timeout: .milliseconds(10)) { return pdu }
    }
    return nil
}
