import Foundation

/// Runs audit cases against a live target, one after the other: checks each case's needs and the
/// time budget, runs it, checks that the target still answers, and collects the results. Sans CLI:
/// the `latchkey audit` command only parses options, builds the ``AuditContext`` and prints the
/// ``AuditReport``.
public enum LockAuditor {
    /// Runs `cases` with `context`. Never throws: a target that stops answering ends the run, its
    /// case FAILs and the rest are SKIPPED (``AuditReport/unreachable`` set, exit 77).
    public static func run(_ cases: [AuditCase], context: AuditContext, target: String) -> AuditReport {
        var results: [AuditResult] = []
        var unreachable: String?
        for auditCase in cases {
            let started = ContinuousClock.now
            func result(_ status: AuditResult.Status, _ detail: String, evidence: [EvidenceFrame] = []) -> AuditResult {
                AuditResult(
                    id: auditCase.id, group: auditCase.group, title: auditCase.title, status: status, detail: detail, evidence: evidence,
                    seconds: (ContinuousClock.now - started).seconds)
            }
            if let unreachable {
                results.append(result(.skipped, "not run: the target stopped answering (\(unreachable))"))
                continue
            }
            if let missing = missingNeed(auditCase, context) {
                results.append(result(.skipped, missing))
                continue
            }
            if let budget = context.options.budget, (context.elapsed + .milliseconds(Int64(auditCase.estimatedSeconds * 1000))) > budget {
                results.append(result(.skipped, "would exceed --budget (\(budget.seconds) s; about \(auditCase.estimatedSeconds) s needed)"))
                continue
            }
            context.exchanges = []
            var verdict: AuditVerdict
            do {
                verdict = try auditCase.body(context)
                try context.checkAlive()
            } catch let error as TargetUnreachable {
                unreachable = error.description
                verdict = .fail("the target stopped answering: \(error.description)")
            } catch {
                verdict = .fail("\(error)")
            }
            switch verdict {
            case .pass(let detail): results.append(result(.pass, detail))
            case .fail(let detail): results.append(result(.fail, detail, evidence: context.exchanges.flatMap(\.evidence)))
            case .skip(let detail): results.append(result(.skipped, detail))
            }
        }
        context.closeAll()
        return AuditReport(target: target, results: results, seconds: context.elapsed.seconds, unreachable: unreachable)
    }

    static func missingNeed(_ auditCase: AuditCase, _ context: AuditContext) -> String? {
        for need in auditCase.needs {
            switch need {
            case .credential(let role) where context.credentials[role] == nil:
                return "needs a paired \(role.rawValue) credential (--pair, or --\(role.rawValue)-state FILE)"
            case .anyCredential where context.credentials.isEmpty:
                return "needs a paired credential (--pair, or --admin-state/--keypad-state/--fob-state)"
            case .securityPIN where context.options.securityPIN == nil:
                return "needs the lock's security PIN (--security-pin)"
            case .twoConnections where context.oneLinkAtATime:
                return "needs two connections at once, and this target takes one at a time (BlueZ)"
            default: continue
            }
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
