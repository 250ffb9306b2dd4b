import Foundation

/// The doctor's Bluetooth details beyond "does AF_BLUETOOTH work": which controllers the kernel
/// has, whether bluetoothd would take the lock's ATT channel, and whether this machine can run the
/// BlueZ VM lane (`scripts/bluez-vm.sh`, Tests/BlueZVM) where it has no Bluetooth of its own.
extension DoctorCommand {
    /// The kernel's controllers (`/sys/class/bluetooth/hciN`), sorted.
    static func controllers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/bluetooth")) ?? []
        return names.filter { $0.hasPrefix("hci") && !$0.contains(":") }.sorted()
    }

    /// Whether a process named `bluetoothd` runs (it serves GATT on CID 4: the lock role needs it stopped).
    static func bluetoothdRunning() -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard entry.allSatisfy(\.isNumber),
                  let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8) else { return false }
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) == "bluetoothd"
        }
    }

    /// The BlueZ VM lane: QEMU, a Debian kernel in /boot and virtme-ng (the lane's venv or PATH).
    func bluezVMLane() -> Check {
        let environment = ProcessInfo.processInfo.environment
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        func onPath(_ tool: String) -> Bool { path.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + tool) } }
        var missing: [String] = []
        if !onPath("qemu-system-x86_64") { missing.append("qemu-system-x86_64 (apt-get install qemu-system-x86)") }
        let kernels = ((try? FileManager.default.contentsOfDirectory(atPath: "/boot")) ?? []).filter { $0.hasPrefix("vmlinuz-") }
        if kernels.isEmpty { missing.append("a kernel in /boot (apt-get install linux-image-amd64)") }
        if !onPath("btvirt") { missing.append("btvirt (apt-get install bluez-test-tools)") }
        if !onPath("vng") && !FileManager.default.isExecutableFile(atPath: ".build/bluez-venv/bin/vng") {
            missing.append("virtme-ng (pip; scripts/bluez-vm.sh makes .build/bluez-venv)")
        }
        let kvm = FileManager.default.fileExists(atPath: "/dev/kvm") ? "; /dev/kvm exists but the lane uses QEMU TCG (--disable-kvm)" : "; no /dev/kvm: QEMU TCG"
        guard missing.isEmpty else {
            return Check(check: "bluez VM lane", status: .unavailable, detail: "missing " + missing.joined(separator: ", ") + " — scripts/bluez-vm.sh installs them")
        }
        return Check(check: "bluez VM lane", status: .ok, detail: "QEMU, \(kernels.sorted().last ?? "a kernel"), btvirt and virtme-ng present: scripts/bluez-vm.sh runs the kernel stack in a guest" + kvm)
    }
}
