import Foundation

/// The first line of a session trace: what was fuzzed and how.
public struct TraceHeader: Codable, Hashable, Sendable {
    /// The `--target` the campaign ran against.
    public var target: String
    /// `structured`, `frame` or `att`.
    public var mode: String
    /// The campaign's `--seed`.
    public var seed: UInt64
    /// The auth id of each role's credential in the campaign (a replay may get other ids for the
    /// throwaways it invites again).
    public var roles: [String: UInt32]
    /// The campaign's `--check-every`.
    public var checkEvery: Int
    /// The ATT_MTU of the admin's connection.
    public var mtu: Int
    /// The trace format version (1).
    public var version: Int
}

/// A session trace (`latchkey fuzz --target … --out DIR` writes one per finding; `latchkey replay
/// TRACE` reads it), as JSON Lines, one object per line, each with a `type`:
///
/// | type | fields |
/// |---|---|
/// | `header` | ``TraceHeader`` under `header` |
/// | `input` | one ``LiveInput`` under `input`: what the fuzzer generated (its role, command, payload, where the challenge and PIN go, edits, raw bytes) |
/// | `frame` | one ``TraceFrame`` under `frame`: a frame sent or received for the input before it, with direction, channel, role and microseconds since the start |
/// | `finding` | the ``LiveFinding`` under `finding` (last line) |
///
/// Frames of the liveness checks and challenge fetches are in the trace too; a replay sends the
/// inputs again, not the frames (challenges and nonces are new each time).
public struct LiveTrace: Sendable {
    /// One input and the frames it caused.
    public struct Entry: Sendable {
        /// The input.
        public var input: LiveInput
        /// The frames sent and received for it, liveness check included.
        public var frames: [TraceFrame]
    }

    public var header: TraceHeader
    public var inputs: [Entry]
    public var finding: LiveFinding?

    /// Why a trace file could not be read.
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    struct Line: Codable {
        var type: String
        var header: TraceHeader?
        var input: LiveInput?
        var frame: TraceFrame?
        var finding: LiveFinding?
    }

    /// The JSON Lines text.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var lines: [String] = []
        func add(_ line: Line) throws { lines.append(String(decoding: try encoder.encode(line), as: UTF8.self)) }
        try add(Line(type: "header", header: header))
        for entry in inputs {
            try add(Line(type: "input", input: entry.input))
            for frame in entry.frames { try add(Line(type: "frame", frame: frame)) }
        }
        if let finding { try add(Line(type: "finding", finding: finding)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the trace to `path` (mode 0644; it holds frames, never keys).
    public func write(to path: String) throws {
        try Data(try encoded().utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Reads a trace. Throws ``ReadError`` naming the line that does not parse, or a trace without a
    /// header or inputs.
    public static func read(_ text: String) throws(ReadError) -> LiveTrace {
        let decoder = JSONDecoder()
        var header: TraceHeader?
        var inputs: [Entry] = []
        var finding: LiveFinding?
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let line = try? decoder.decode(Line.self, from: Data(raw.utf8)) else {
                throw ReadError(description: "line \(number + 1) is not a trace line (JSON with a type of header, input, frame or finding)")
            }
            switch line.type {
            case "header": header = line.header
            case "input":
                guard let input = line.input else { throw ReadError(description: "line \(number + 1): an input line without its input") }
                inputs.append(Entry(input: input, frames: []))
            case "frame":
                if let frame = line.frame, !inputs.isEmpty { inputs[inputs.count - 1].frames.append(frame) }
            case "finding": finding = line.finding
            default: throw ReadError(description: "line \(number + 1): unknown type \(line.type)")
            }
        }
        guard let header else { throw ReadError(description: "the trace has no header line") }
        guard !inputs.isEmpty else { throw ReadError(description: "the trace has no inputs") }
        return LiveTrace(header: header, inputs: inputs, finding: finding)
    }
}
