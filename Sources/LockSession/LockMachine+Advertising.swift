import LockCore
import NukiProfile

extension LockMachine {
    /// What the lock advertises at `now` (`docs/wire.md` §1.3; layouts in
    /// ``NukiProfile/NukiAdvertisement``), in this order:
    /// - pairing mode (the button held): service data for the model's pairing service, `a92ee100-…`,
    ///   or `a92ee300-…` where the model pairs the Ultra way (Smart Lock Ultra, Go on 5.x firmware);
    /// - a factory-new lock, never set up (Nuki state uninitialized: no client has ever paired):
    ///   service data for the initialization service `a92ee000-…` (simnuki's advertiser);
    /// - else the iBeacon, with `statusChanged` as its "state changed, please poll" bit.
    ///
    /// A factory-new lock pairs only in pairing mode, as every other lock does: simnuki also lets an
    /// uninitialized lock pair without the button, but Nuki's set-up asks the owner to hold it, so
    /// Latchkey keeps the one rule (README, "How the emulated lock behaves").
    public func advertisingMode(at now: LockInstant, statusChanged: Bool) -> NukiAdvertisement.Mode {
        if isPairingMode(at: now) {
            return .pairing(service: model.wireContext.ultraPairing ? NukiUUIDs.ultraPairingService : NukiUUIDs.pairingService)
        }
        if nukiState == .uninitialized { return .uninitialized }
        return .paired(statusChanged: statusChanged)
    }
}
