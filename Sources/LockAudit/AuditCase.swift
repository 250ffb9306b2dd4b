import LockWire

/// What a case needs before it can run; missing, the case is SKIPPED with the reason.
public enum AuditNeed: Hashable, Sendable {
    /// A paired credential of this role (`--pair`, or `--admin-state`/`--keypad-state`/`--fob-state`).
    case credential(AuditRole)
    /// Any one credential.
    case anyCredential
    /// The lock's security PIN (`--security-pin`).
    case securityPIN
    /// Two connections open at once (e.g. a live session kept while the admin acts): a target
    /// reached one link at a time (BlueZ, ``AuditTarget/oneLinkAtATime``) cannot give them.
    case twoConnections
}

/// A case's verdict.
public enum AuditVerdict: Sendable, Equatable {
    case pass(String)
    case fail(String)
    case skip(String)
}

/// One case of `docs/attacks.md` §B judged from outside the lock, over the link.
public struct AuditCase: Sendable {
    /// The `docs/attacks.md` id, e.g. `AU-01`.
    public let id: String
    /// The §B group: `B1`…`B9`.
    public let group: String
    public let title: String
    public let needs: [AuditNeed]
    /// Rough wall time on the socket link, for `--budget` (seconds).
    public let estimatedSeconds: Double
    let body: @Sendable (AuditContext) throws -> AuditVerdict

    init(_ id: String, _ group: String, _ title: String, needs: [AuditNeed] = [], seconds: Double = 0.2, _ body: @escaping @Sendable (AuditContext) throws -> AuditVerdict) {
        self.id = id
        self.group = group
        self.title = title
        self.needs = needs
        estimatedSeconds = seconds
        self.body = body
    }

    /// The group names `--case` takes besides ids: `parsing` (B1), `crypto` (B2), `pairing` (B3),
    /// `authorization` (B4), `pin` (B5), `state` (B9), or the `B`-number itself.
    public static let groupNames: [String: String] = [
        "parsing": "B1", "crypto": "B2", "pairing": "B3", "authorization": "B4", "pin": "B5", "state": "B9",
    ]

    /// The cases `selectors` (ids or groups, case-insensitive) name, in catalogue order; all for none.
    /// Throws ``AuditTarget/UsageError`` for a selector that names nothing.
    public static func select(_ selectors: [String], from catalogue: [AuditCase] = AuditCatalogue.all) throws(AuditTarget.UsageError) -> [AuditCase] {
        guard !selectors.isEmpty else { return catalogue }
        var groups: Set<String> = []
        var ids: Set<String> = []
        for selector in selectors {
            let upper = selector.uppercased()
            if let group = groupNames[selector.lowercased()] {
                groups.insert(group)
            } else if catalogue.contains(where: { $0.group == upper }) {
                groups.insert(upper)
            } else if catalogue.contains(where: { $0.id == upper }) {
                ids.insert(upper)
            } else {
                throw AuditTarget.UsageError(description: "--case \(selector) names no case; cases: \(catalogue.map(\.id).joined(separator: " ")); groups: \(groupNames.keys.sorted().joined(separator: " "))")
            }
        }
        return catalogue.filter { groups.contains($0.group) || ids.contains($0.id) }
    }
}

/// A case's result: its verdict, the frames behind it and its wall time.
public struct AuditResult: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case pass = "PASS"
        case fail = "FAIL"
        case skipped = "SKIPPED"
    }

    public var id: String
    public var group: String
    public var title: String
    public var status: Status
    /// Why it passed, failed or was skipped.
    public var detail: String
    /// The frames sent and received (for a FAIL; empty otherwise).
    public var evidence: [EvidenceFrame]
    public var seconds: Double
}

/// The whole run.
public struct AuditReport: Sendable, Codable {
    public var target: String
    public var results: [AuditResult]
    public var seconds: Double
    /// Set when the target stopped answering (exit 77).
    public var unreachable: String?

    public var passed: Int { results.filter { $0.status == .pass }.count }
    public var failed: Int { results.filter { $0.status == .fail }.count }
    public var skipped: Int { results.filter { $0.status == .skipped }.count }

    /// 0 all run cases passed, 1 a case failed, 77 the target stopped answering.
    public var exitCode: Int32 { unreachable != nil ? 77 : failed > 0 ? 1 : 0 }
}
