import ArgumentParser
import BLETransport
import ClientFuzzing
import Foundation
import LockCrypto
import LockEmulator
import NukiProfile
import Synchronization

extension LockServeCommand {
    /// The names `--hostile` takes.
    static var hostileModes: [String] { HostilePlan.named.map(\.name) + ["fuzz"] }

    /// `latchkey lock serve --hostile MODE|fuzz`: a ``ClientFuzzing/HostileLockServer`` in the
    /// discovery folder (or, with `--transport bluez:hciN`, on that controller: L2CAP LE CID 4 and
    /// HCI advertising, the mutated advertising data and scan response sent as they are, cut to the
    /// 31 octets HCI carries), in pairing mode, its state in memory only, until the duration ends or a
    /// signal stops it (SIGUSR1 presses the button). `fuzz` draws a new plan from `--seed` for every
    /// connection (an advertising plan is published at once, for the next scan, and replaced after 2 s
    /// without a connection); the `adv-*` modes
    /// advertise one ``ClientFuzzing/AdvertisingMutation`` the whole time. Nothing of it is saved; `--state` is refused with it.
    func runHostile(_ mode: String) throws {
        let seed = hostileSeed ?? 1
        let random = SeededRandomSource(seed: seed)
        let id = nukiID.flatMap { UInt32($0, radix: 16) } ?? 0x2A37_599A
        let engine = try HostileLockServer.makeLock(nukiID: id, pin: UInt16(truncatingIfNeeded: try resolveSecurityPIN()), random: random, now: LockServer.wallClock())
        let fuzz = mode == "fuzz"
        let plan = fuzz ? HostilePlan.honest : (HostilePlan.named.first { $0.name == mode }?.plan ?? .honest)
        guard let nukiAddress = DeviceAddress.nuki(id) else { throw ExitCode.failure }
        let frontEnd: any LockFrontEnd
        let address: DeviceAddress
        if let adapter = bluezAdapter {
            do {
                let bluez = try BlueZFrontEnd(adapter: adapter)
                (frontEnd, address) = (bluez, bluez.address)
            } catch {
                Diagnostics.print(Diagnostics.message(error))
                throw ExitCode.failure
            }
        } else {
            (frontEnd, address) = (try SocketFrontEnd(folder: discovery.folder, address: nukiAddress), nukiAddress)
        }
        let labelled = WeakLabel(frontEnd)
        let server = try HostileLockServer(
            engine: engine, frontEnd: labelled, plan: plan, random: SeededRandomSource(seed: seed &+ 1), localName: NukiAdvertisement.name(id) + " WEAK")
        Diagnostics.print(
            "WARNING: this lock is HOSTILE for testing clients (--hostile \(mode), seed \(seed)): it sends corrupted replies on purpose. It keeps nothing.")
        Self.say("hostile lock \(address) (\(mode)) serving at \(bluezAdapter == nil ? discovery.folder.socketPath(address) : labelled.location)")
        let flags = HostileSignals()
        let sources = [SIGUSR1, SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { if number == SIGUSR1 { flags.press.add(1, ordering: .relaxed) } else { flags.stop.store(true, ordering: .relaxed) } }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        let deadline = ServeDuration.deadline(after: duration)
        let planRandom = SeededRandomSource(seed: seed &+ 2)
        var accepted = 0
        var drawnAt = ContinuousClock.now
        while !flags.stop.load(ordering: .relaxed) {
            if let deadline, ContinuousClock.now >= deadline { break }
            if flags.press.exchange(0, ordering: .relaxed) > 0 { server.pressButton() }
            server.step(timeout: Duration.milliseconds(20))
            // A client that refuses the advertising never connects: an advertising plan gives way
            // to a new draw after `advertisingHold` without a connection.
            let stale = server.plan.fault.isAdvertising && ContinuousClock.now - drawnAt >= Self.advertisingHold
            if fuzz, server.acceptedInRun > accepted || stale {
                let connected = server.acceptedInRun > accepted
                accepted = server.acceptedInRun
                var drawn = HostilePlan.random(planRandom, profile: HostilePlan.genericProfile, advertising: true, nukiID: id)
                drawn.message += server.messages.messages.count
                server.replan(drawn)
                drawnAt = ContinuousClock.now
                // An advertising plan is published now: the next scan sees it.
                let when = connected ? (drawn.fault.isAdvertising ? "after connection \(accepted)" : "connection \(accepted)") : "no connection for 2 s"
                Self.say("\(when): \(drawn.label)")
            }
        }
        server.stop()
    }
}

extension LockServeCommand {
    /// How long `--hostile fuzz` keeps an advertising plan that no client connects through.
    static let advertisingHold = Duration.seconds(2)

    /// One line on stdout, written at once (a test or script reads it while the lock runs).
    static func say(_ line: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }
}

/// What the hostile lock's signal handlers tell its loop.
final class HostileSignals: Sendable {
    let stop = Atomic<Bool>(false)
    let press = Atomic<Int>(0)
}
