import Foundation

/// How one run of a client command against the hostile lock ended, and what that means
/// (`latchkey fuzz-client`, issue 14 item 5).
///
/// **The client contract.** A client command reports success by exiting 0 and, when the campaign
/// is given a success text (`--success-text`, for known clients such as the pyNukiBT driver, which
/// prints `all steps passed`), by printing that text on stdout. It reports a refusal by exiting
/// with any other status after handling the error. Crashes are what no correct client does on any
/// input: death by a signal, or an unhandled error report on stderr.
public struct ClientRunOutcome: Sendable, Hashable, Codable {
    /// The classes of issue 14 item 5.
    public enum Classification: String, Sendable, Hashable, Codable, CaseIterable {
        /// Death by a signal; an exit status of 128 + a signal number (a shell reporting its child's
        /// death); or on stderr a Python traceback (`Traceback (most recent call last):`), a Swift
        /// runtime trap (`Fatal error:`), a sanitizer report (`AddressSanitizer`, `UndefinedBehaviorSanitizer`)
        /// or a Rust panic (`panicked at`).
        case crash
        /// The client had not exited when the run's time limit passed (`--timeout`); it was killed.
        case hang
        /// The client reported success after the lock sent it a message that a correct client must
        /// refuse (``HostileLockServer/Entry/mustRefuse``) and the client confirmed it at ATT
        /// (``HostileLockServer/Entry/confirmed``: a message its ATT layer dropped does not count).
        /// Advertising a correct client must refuse (``AdvertisingMutation/mustRefuse(nukiID:)``) counts
        /// as confirmed once the client connects to the lock.
        /// A client that confirms a message, drops it at the Nuki layer and completes on later
        /// honest messages is flagged too: triage reads the trace (plans re-apply a fault to every
        /// later message with the same command, so a retry meets the same fault).
        case acceptedCorrupted = "accepted-corrupted"
        /// Anything else: success on correct data, or a handled refusal.
        case ok
    }

    /// How the process ended.
    public enum Termination: Sendable, Hashable, Codable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed by the campaign after the time limit.
        case timedOut
    }

    public var classification: Classification
    public var termination: Termination
    /// Why it was classified so, in one line.
    public var reason: String
    /// Whether the client reported success (exit 0 and the success text).
    public var succeeded: Bool

    public init(classification: Classification, termination: Termination, reason: String, succeeded: Bool) {
        self.classification = classification
        self.termination = termination
        self.reason = reason
        self.succeeded = succeeded
    }

    /// Markers of a crash on stderr.
    public static let crashMarkers = [
        "Traceback (most recent call last):", "Fatal error:", "AddressSanitizer", "UndefinedBehaviorSanitizer", "panicked at",
    ]

    /// Classifies a run (see ``Classification`` for the rules, applied in the order crash and hang,
    /// then accepted-corrupted, then ok).
    /// - Parameters:
    ///   - termination: how the process ended.
    ///   - stdout: what it printed (for the success text).
    ///   - stderr: what it printed on stderr (for crash markers).
    ///   - transcript: the lock's side of the run.
    ///   - successText: the text that must appear on stdout for success, or nil (exit 0 suffices).
    public static func classify(
        termination: Termination, stdout: String, stderr: String, transcript: [HostileLockServer.Entry], successText: String?
    ) -> ClientRunOutcome {
        switch termination {
        case .timedOut:
            return ClientRunOutcome(classification: .hang, termination: termination, reason: "no exit within the time limit", succeeded: false)
        case .signalled(let signal):
            return ClientRunOutcome(classification: .crash, termination: termination, reason: "killed by signal \(signal)", succeeded: false)
        case .exited(let status):
            if let marker = crashMarkers.first(where: { stderr.contains($0) }) {
                let line = stderr.split(separator: "\n").last(where: { !$0.isEmpty && !$0.hasPrefix(" ") }).map(String.init) ?? marker
                return ClientRunOutcome(classification: .crash, termination: termination, reason: "\(marker) … \(line)", succeeded: false)
            }
            if status > 128, status <= 128 + 64 {
                return ClientRunOutcome(
                    classification: .crash, termination: termination, reason: "exit \(status): a process killed by signal \(status - 128)", succeeded: false)
            }
            let succeeded = status == 0 && (successText.map { stdout.contains($0) } ?? true)
            if succeeded, let bad = transcript.first(where: { $0.mustRefuse == true && $0.confirmed != false }), bad.characteristic == "advertising" {
                return ClientRunOutcome(
                    classification: .acceptedCorrupted, termination: termination,
                    reason: "connected and reported success on advertising a correct client must refuse (\(bad.fault ?? "?"))", succeeded: true)
            }
            if succeeded, let bad = transcript.first(where: { $0.mustRefuse == true && $0.confirmed != false }) {
                return ClientRunOutcome(
                    classification: .acceptedCorrupted, termination: termination,
                    reason: "reported success after message \(bad.message ?? -1) (\(bad.command ?? "?"): \(bad.fault ?? "?")), which a correct client must refuse",
                    succeeded: true)
            }
            if succeeded {
                return ClientRunOutcome(classification: .ok, termination: termination, reason: "succeeded", succeeded: true)
            }
            let why = status == 0 ? "exit 0 without the success text" : "exit \(status)"
            return ClientRunOutcome(classification: .ok, termination: termination, reason: "refused (\(why))", succeeded: false)
        }
    }
}
