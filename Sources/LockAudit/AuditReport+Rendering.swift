import Foundation

extension AuditReport {
    /// The formats of `latchkey audit --format`.
    public enum Format: String, CaseIterable, Sendable {
        /// One line per case, the evidence under each FAIL, a summary line.
        case text
        /// One JSON object: target, summary counts, wall time, and every case with its evidence.
        case json
        /// JUnit XML (`testsuites` / `testsuite` / `testcase` with `failure` and `skipped`), for CI.
        case junit
    }

    /// The summary line: `24 cases: 20 run (19 PASS, 1 FAIL), 4 SKIPPED in 1.23 s`.
    public var summary: String {
        let run = passed + failed
        var line = "\(results.count) cases against \(target): \(run) run (\(passed) PASS, \(failed) FAIL), \(skipped) SKIPPED in \(String(format: "%.2f", seconds)) s"
        if let unreachable { line += "; the target stopped answering: \(unreachable)" }
        return line
    }

    /// The report in `format`.
    public func rendered(_ format: Format) -> String {
        switch format {
        case .text: return text
        case .json: return json
        case .junit: return junit
        }
    }

    var text: String {
        var lines: [String] = []
        for r in results {
            let status = r.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            let id = r.id.padding(toLength: 7, withPad: " ", startingAt: 0)
            lines.append("\(status) \(id) \(r.title) — \(r.detail)")
            for frame in r.evidence {
                let channel = frame.channel.padding(toLength: 15, withPad: " ", startingAt: 0)
                let direction = frame.direction.padding(toLength: 8, withPad: " ", startingAt: 0)
                lines.append("           \(direction) \(channel) \(frame.summary)\(frame.hex.isEmpty ? "" : "  \(frame.hex)")")
            }
        }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    struct Document: Encodable {
        var target: String
        var passed: Int
        var failed: Int
        var skipped: Int
        var seconds: Double
        var unreachable: String?
        var exitCode: Int32
        var cases: [AuditResult]
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let document = Document(
            target: target, passed: passed, failed: failed, skipped: skipped, seconds: seconds, unreachable: unreachable, exitCode: exitCode,
            cases: results)
        return String(decoding: (try? encoder.encode(document)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }

    var junit: String {
        func time(_ s: Double) -> String { String(format: "%.3f", s) }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let counts = #"tests="\#(results.count)" failures="\#(failed)" errors="0" skipped="\#(skipped)" time="\#(time(seconds))""#
        xml += #"<testsuites name="latchkey audit" \#(counts)>"# + "\n"
        xml += #"  <testsuite name="latchkey audit \#(Self.escape(target))" \#(counts)>"# + "\n"
        for r in results {
            let name = Self.escape("\(r.id) \(r.title)")
            xml += #"    <testcase classname="latchkey.audit.\#(r.group)" name="\#(name)" time="\#(time(r.seconds))""#
            switch r.status {
            case .pass:
                xml += ">\n      <system-out>\(Self.escape(r.detail))</system-out>\n    </testcase>\n"
            case .skipped:
                xml += ">\n      <skipped message=\"\(Self.escape(r.detail))\"/>\n    </testcase>\n"
            case .fail:
                let evidence = r.evidence.map { "\($0.direction) \($0.channel) \($0.summary) \($0.hex)" }.joined(separator: "\n")
                xml += ">\n      <failure message=\"\(Self.escape(r.detail))\" type=\"AuditFailure\">\(Self.escape(evidence))</failure>\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// XML attribute and text escaping; control characters other than tab and newline are dropped
    /// (XML 1.0 cannot carry them).
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
