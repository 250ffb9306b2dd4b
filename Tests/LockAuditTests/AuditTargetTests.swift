import LockAudit
import LockCore
import Testing

/// `--target` parsing (one place for every outward command) and `--case` selection.
struct AuditTargetTests {
    @Test func everyFormParses() throws {
        #expect(try AuditTarget(parsing: "socket") == .socket(.first))
        #expect(try AuditTarget(parsing: "socket:54:d2:72:37:59:9a") == .socket(.address("54:D2:72:37:59:9A")))
        #expect(try AuditTarget(parsing: "socket:/run/lock/x.sock") == .socket(.path("/run/lock/x.sock")))
        #expect(try AuditTarget(parsing: "bluez:hci1") == .bluez(adapter: "hci1", address: nil))
        #expect(try AuditTarget(parsing: "bluez:hci12/54:D2:72:37:59:9A") == .bluez(adapter: "hci12", address: "54:D2:72:37:59:9A"))
        #expect(try AuditTarget(parsing: "bluez:hci0/54:D2:72:37:59:9A").description == "bluez:hci0/54:D2:72:37:59:9A")
    }

    @Test func malformedTargetsAreUsageErrors() {
        let forms = "--target is socket, socket:ADDRESS, socket:PATH, bluez:hciN or bluez:hciN/ADDRESS"
        #expect(throws: AuditTarget.UsageError(description: "\(forms), not tcp:1")) { try AuditTarget(parsing: "tcp:1") }
        #expect(throws: AuditTarget.UsageError(description: "\(forms); hci is not a controller like hci0")) { try AuditTarget(parsing: "bluez:hci") }
        #expect(throws: AuditTarget.UsageError(description: "\(forms); hcix is not a controller like hci0")) { try AuditTarget(parsing: "bluez:hcix") }
        #expect(throws: AuditTarget.UsageError(description: "\(forms); 54:D2 is not an address like 54:D2:72:37:59:9A")) { try AuditTarget(parsing: "socket:54:D2") }
        #expect(throws: AuditTarget.UsageError(description: "\(forms); 54:D2:72:37:59:ZZ is not an address like 54:D2:72:37:59:9A")) {
            try AuditTarget(parsing: "bluez:hci0/54:D2:72:37:59:ZZ")
        }
    }

    @Test func casesSelectByIdAndGroup() throws {
        #expect(try AuditCase.select(["au-01", "P-04"]).map(\.id) == ["P-04", "AU-01"])
        #expect(try AuditCase.select(["pin"]).map(\.id) == ["PIN-02", "PIN-07"])
        #expect(try AuditCase.select(["B2"]).map(\.id) == ["C-01", "C-02", "C-05"])
        #expect(throws: AuditTarget.UsageError.self) { try AuditCase.select(["X-99"]) }
    }

    /// Every weakness proves at least one case of the catalogue, and every case it names exists.
    @Test func everyWeaknessNamesCatalogueCases() {
        let ids = Set(AuditCatalogue.all.map(\.id))
        for weakness in Weakness.allCases {
            #expect(!weakness.provenCases.isEmpty)
            #expect(Set(weakness.provenCases).isSubset(of: ids), "\(weakness)")
        }
    }
}
