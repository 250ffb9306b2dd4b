import Synchronization

/// A published ``DiscoveryRecord``: ``stop()`` removes it from the folder. Dropping the handle
/// does not (republishing an address returns a new handle for the same file).
public final class DiscoveryPublication: Sendable {
    /// The folder holding the record.
    public let folder: DiscoveryFolder
    /// The published address.
    public let address: DeviceAddress
    private let stopped = Atomic<Bool>(false)

    init(folder: DiscoveryFolder, address: DeviceAddress) {
        self.folder = folder
        self.address = address
    }

    /// Removes the record. Idempotent.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        folder.withdraw(address)
    }
}
