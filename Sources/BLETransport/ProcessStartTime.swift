#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A process's start time as the kernel keeps it: field 22 (`starttime`) of `/proc/<pid>/stat`,
/// in clock ticks after boot (proc(5)). Together with the pid it names one process: a pid the
/// kernel hands to a new process after the old one died comes with another start time.
public enum ProcessStartTime {
    /// `pid`'s start time, or nil when the process does not exist (or `/proc` cannot be read).
    public static func of(_ pid: Int32) -> UInt64? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        return parse(Array(data))
    }

    /// The `starttime` field of a `/proc/<pid>/stat` line: the fields after the command name,
    /// which is in parentheses and may itself hold spaces and parentheses (so the last `)` ends
    /// it), are split on spaces; `starttime` is the 20th of them (field 22 of the line). Nil when
    /// the line has no `)`, too few fields, or the field is not a decimal number.
    public static func parse(_ line: [UInt8]) -> UInt64? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = line[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // Fields 3… follow the name: field 22 is at index 22 - 3.
        guard fields.count > 19 else { return nil }
        let text = fields[19]
        guard !text.isEmpty, text.count <= 20, text.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(String(decoding: text, as: UTF8.self))
    }
}
