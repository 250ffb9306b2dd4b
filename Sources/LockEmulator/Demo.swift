import BLEATT
import BLEGATT
import BLETransport
import LockCore
import LockCrypto
import LockHost
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// One line of the demo's timeline.
public struct TimelineEntry: Encodable, Hashable, Sendable {
    /// The lock's local time, e.g. `Mon 09:15:00`.
    public var time: String
    public var device: String
    public var action: String
    public var outcome: String
}

/// `latchkey demo`: a lock, a phone, a keypad and a fob through a simulated week on the virtual clock.
///
/// The phone pairs as the admin and sets up a recurring keypad code (Mondays 09:00–12:00) and a
/// time-limited right for the fob (until Friday 18:00); then the keypad's code is tried inside and
/// outside its window (and on a Wednesday inside its hours), a brute-force burst walks through the
/// three lockout tiers, the fob presses once, twice and three times, the owner switches auto unlock
/// on and the phone coming into range is let in, then refused inside the cool-down, a manual key
/// turn is followed by an auto unlock refused as too recent and the key locks from outside, the
/// battery falls under 20 % with its alert, both ring-light battery signals and the phone's
/// notification, then runs flat (the motor refused, the key still working), the fob's right runs
/// out, its revocation takes effect at once, and the next Monday the code opens again. Seeded randomness and the virtual clock make
/// every run print the same timeline. Times are the lock's local time (Europe/Berlin).
///
/// The devices reach the lock over one of three links (``Link``), with the same timeline on each:
/// the Unix socket link (the default of `latchkey demo`: ATT over SOCK_SEQPACKET through the Nuki GATT
/// server, as between `latchkey` processes), the in-process ATT link, or straight between the
/// protocol engines.
public struct Demo {
    /// How the devices reach the lock.
    public enum Link: String, CaseIterable, Sendable {
        /// ATT over the Unix SOCK_SEQPACKET socket link, through the Nuki GATT server (``LinkedRoom``).
        case socket
        /// ATT over the in-process link, through the Nuki GATT server (``LinkedRoom``).
        case inProcess = "in-process"
        /// Messages handed straight between the protocol engines (``InProcessRoom``).
        case engines
    }

    public private(set) var room: any LockRoom
    public private(set) var timeline: [TimelineEntry] = []
    /// The phone noted the battery alert and has not seen a good battery since (its bell).
    private var phoneAlerted = false
    /// Monday 2026-03-02 00:00 in Berlin (CET, UTC+1).
    static let mondayMidnight = LockInstant(secondsSince1970: 1_772_406_000)
    static let securityPIN = SecurityPIN.u16(2468)
    static let code: UInt32 = 456_789

    /// Sets up the lock and its three devices (none paired yet).
    /// - Parameters:
    ///   - link: how the devices reach the lock.
    ///   - capture: where to record the week's ATT traffic (btsnoop or pcap), or nil. Over the
    ///     socket and in-process links these are the lock's real ATT PDUs (MTU exchange, discovery,
    ///     CCCD writes, writes and indications); between the engines each write is recorded as an ATT
    ///     Write Request and each message from the lock as a Handle Value Indication on the value
    ///     handles of the Nuki GATT layout, one ACL connection handle per device.
    /// - Throws: ``LinkedRoom/Failure`` when a link cannot be set up; `KeyError` never (fixed seeds).
    public init(link: Link = .socket, capture: CaptureWriter? = nil) throws {
        var settings = LockSettings(name: FixedName("Front door", width: FixedName.nameWidth))
        settings.timezoneID = TimeZoneID(tzName: "Europe/Berlin") ?? .none
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 1_000
        var machine = LockMachine(model: model, nukiID: 0x2A37_599A, settings: settings, securityPIN: Self.securityPIN)
        machine.timeZoneRules = .systemDatabase
        let start = Self.mondayMidnight.adding(milliseconds: 8 * 3_600_000)
        try machine.setClock(to: start.utcDateTime, at: start)
        let random = SeededRandomSource(seed: 2026)
        let lockUUID = LockUUID(random.bytes(count: LockUUID.byteCount)) ?? .zero
        let engine = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: lockUUID, random: random)
        switch link {
        case .engines:
            var inProcess = InProcessRoom(lock: engine, now: start)
            if let capture { Self.record(&inProcess, to: capture) }
            room = inProcess
        case .socket:
            room = try LinkedRoom(lock: engine, now: start, link: .socket, capture: capture)
        case .inProcess:
            room = try LinkedRoom(lock: engine, now: start, link: .inProcess, capture: capture)
        }
        try room.add("phone", .app(AdminClient(appID: 0x0A11, keyPair: try KeyPair(using: SeededRandomSource(seed: 1)), random: SeededRandomSource(seed: 11))))
        try room.add("keypad", .keypad(KeypadEmulator(keypadID: 0x4B50, keyPair: try KeyPair(using: SeededRandomSource(seed: 2)), random: SeededRandomSource(seed: 12))))
        try room.add("fob", .fob(FobEmulator(fobID: 0x0F0B, keyPair: try KeyPair(using: SeededRandomSource(seed: 3)), random: SeededRandomSource(seed: 13))))
    }

    /// Records the engines' traffic in `capture`: each write as an ATT Write Request and each message
    /// from the lock as a Handle Value Indication, on the value handles of the Nuki GATT layout, one
    /// ACL connection handle per device, so Wireshark and tshark show the exchange.
    static func record(_ room: inout InProcessRoom, to capture: CaptureWriter) {
        let profile = NukiGATTProfile(nukiID: room.lock.machine.nukiID)
        room.onTraffic = { connection, toLock, characteristic, bytes in
            let handle = profile.characteristic(characteristic).valueHandle
            let pdu: ATTPDU = toLock ? .writeRequest(handle: handle, value: bytes) : .handleValueIndication(handle: handle, value: bytes)
            _ = capture.record(pdu.encoded(), direction: toLock ? .received : .sent, connectionHandle: UInt16(truncatingIfNeeded: 0x40 + connection.rawValue))
        }
    }

    /// Runs the whole week and returns the timeline.
    public mutating func run() -> [TimelineEntry] {
        // Monday: pairing and set-up.
        at(0, 8, 0) ; button("hold 5 s"); pair("phone")
        at(0, 8, 1); button("hold 5 s"); pair("keypad")
        at(0, 8, 2); button("hold 5 s"); pair("fob")
        at(0, 8, 3)
        let mondays = TimeRestriction(
            timeLimited: true, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: [.monday],
            allowedFromTime: TimeOfDay(hour: 9, minute: 0), allowedUntilTime: TimeOfDay(hour: 12, minute: 0))
        phone("add keypad code \(Self.code), Mondays 09:00–12:00", ClientRequest(command: .addKeypadCode, needsChallenge: true, finalCommands: [.keypadCodeID]) { n in
            .addKeypadCode(AddKeypadCode(code: Self.code, name: FixedName("Cleaner", width: 20), restriction: mondays, challenge: n, securityPIN: Self.securityPIN))
        })
        at(0, 8, 4)
        let fobAuthID = authID(of: .fob)
        let untilFriday = TimeRestriction(
            timeLimited: true, allowedFrom: Self.local(0, 0, 0).utcDateTime, allowedUntil: Self.local(4, 18, 0).utcDateTime,
            allowedWeekdays: [], allowedFromTime: .midnight, allowedUntilTime: .midnight)
        phone("limit the fob's right to Friday 18:00", ClientRequest(command: .updateAuthorizationEntry, needsChallenge: true) { n in
            .updateAuthorizationEntry(UpdateAuthorizationEntry(
                authID: fobAuthID, name: FixedName("Fob", width: 32), enabled: true, remoteAllowed: false, restriction: untilFriday,
                challenge: n, securityPIN: Self.securityPIN))
        })
        // The code outside and inside its window.
        at(0, 8, 30); keypad("enter \(Self.code)") { $0.enter(code: Self.code, at: $1) }
        at(0, 9, 15); keypad("enter \(Self.code)") { $0.enter(code: Self.code, at: $1) }
        at(0, 9, 16); fob(presses: 2)
        // A brute-force burst through the lockout tiers.
        at(0, 10, 0)
        for tier in 1...3 {
            for attempt in 1...5 {
                keypad("enter 99999\(attempt) (guess)") { $0.enter(code: 999_990 + UInt32(attempt), at: $1) }
            }
            if tier == 1 {
                later(10); keypad("enter \(Self.code) during the lockout") { $0.enter(code: Self.code, at: $1) }
                later(21)
            } else if tier == 2 {
                later(301)
            }
        }
        at(0, 10, 40); keypad("enter \(Self.code) after the lockout") { $0.enter(code: Self.code, at: $1) }
        at(0, 10, 41); keypad("press the lock key") { $0.press(.lock, at: $1) }
        // Tuesday: the fob.
        at(1, 7, 30); fob(presses: 1)
        at(1, 7, 31); fob(presses: 3)
        later(30)
        // Wednesday 10:00: inside the window's hours, but not a Monday.
        at(2, 10, 0); keypad("enter \(Self.code)") { $0.enter(code: Self.code, at: $1) }
        // Thursday: the owner switches auto unlock on; the phone comes into range and is let in;
        // back in range two minutes after locking, it is refused (the 5-minute cool-down); then
        // the key, and auto unlock too soon after it.
        at(3, 17, 0)
        phone("switch auto unlock on", ClientRequest(command: .setAdvancedConfig, needsChallenge: true) { n in
            var settings = LockMachine.defaultAdvancedSettings
            settings.autoUnlockDisabled = false
            return .setAdvancedConfig(SetAdvancedConfig(settings: settings, challenge: n, securityPIN: Self.securityPIN))
        })
        at(3, 17, 30); phone("comes into range: auto unlock", .lockAction(.unlock, appID: 0x0A11, flags: [.autoUnlock]))
        at(3, 17, 31); phone("lock", .lockAction(.lock, appID: 0x0A11))
        at(3, 17, 33); phone("comes into range: auto unlock", .lockAction(.unlock, appID: 0x0A11, flags: [.autoUnlock]))
        at(3, 18, 0); manual(.unlock)
        at(3, 18, 1)
        phone("auto unlock (geofence)", .lockAction(.unlock, appID: 0x0A11, flags: [.autoUnlock]))
        at(3, 18, 2); manual(.lock, " from outside")
        // Friday: the battery; its ring-light signal unlocked and locked.
        at(4, 20, 0); battery(19)
        at(4, 20, 1); phone("unlock", .lockAction(.unlock, appID: 0x0A11))
        at(4, 20, 2); phone("lock", .lockAction(.lock, appID: 0x0A11))
        // The battery runs flat: the motor is refused, the key still works; new batteries.
        at(4, 23, 0); battery(0)
        at(4, 23, 1); phone("unlock", .lockAction(.unlock, appID: 0x0A11))
        at(4, 23, 2); manual(.unlock)
        at(4, 23, 3); manual(.lock)
        at(5, 8, 0); battery(100)
        // Saturday: the fob's right has ended.
        at(5, 10, 0); fob(presses: 1)
        // Sunday: the fob is revoked; its next press is refused at once.
        at(6, 9, 0)
        phone("revoke the fob", ClientRequest(command: .removeAuthorizationEntry, needsChallenge: true) { n in
            .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: fobAuthID, challenge: n, securityPIN: Self.securityPIN))
        })
        at(6, 9, 1)
        do {
            try room.reconnect("fob")
            fob(presses: 1)
        } catch {
            record("fob", "reconnect", "failed: \(error)")
        }
        // The next Monday: the code's day again.
        at(7, 9, 30); keypad("enter \(Self.code)") { $0.enter(code: Self.code, at: $1) }
        at(7, 9, 31); keypad("press the lock key") { $0.press(.lock, at: $1) }
        at(7, 9, 32)
        record("lock", "end of the week", summary())
        return timeline
    }

    // MARK: Steps

    /// Local Berlin time `day` days after Monday at `hour:minute` (the demo week has no DST change).
    static func local(_ day: Int, _ hour: Int, _ minute: Int) -> LockInstant {
        mondayMidnight.adding(milliseconds: Int64(day) * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000)
    }

    private mutating func at(_ day: Int, _ hour: Int, _ minute: Int) {
        room.advance(to: Self.local(day, hour, minute))
        collectBackground()
    }

    private mutating func later(_ seconds: Int64) {
        room.advance(to: room.now.adding(milliseconds: seconds * 1000))
        collectBackground()
    }

    private mutating func button(_ what: String) {
        room.withLock { lock, now in lock.pressButton(heldMilliseconds: 5_000, at: now) }
        record("lock", "button: \(what)", describe(room.drain(), for: "lock"))
    }

    private mutating func pair(_ name: String) {
        room.act(name) { device, _ in
            switch device {
            case .app(var d): defer { device = .app(d) }; return d.pair()
            case .keypad(var d): defer { device = .keypad(d) }; return d.pair()
            case .fob(var d): defer { device = .fob(d) }; return d.pair()
            }
        }
        finish(name, "pair")
    }

    private mutating func phone(_ what: String, _ request: ClientRequest) {
        room.act("phone") { device, _ in
            guard case .app(var d) = device else { return [] }
            defer { device = .app(d) }
            return d.send(request)
        }
        finish("phone", what)
        // The app's bell: the first Keyturner States with the critical-battery bit after a good
        // battery become the owner's notification (issue 15; `latchkey phone notifications`).
        var replies: [NukiMessage] = []
        room.act("phone") { device, _ in
            if case .app(let d) = device { replies = d.lastReplies }
            return []
        }
        for percent in PhoneNotification.batteryAlerts(in: replies, alerted: &phoneAlerted) {
            if var last = timeline.popLast() {
                last.outcome += "; phone notification: battery critical (\(percent) %)"
                timeline.append(last)
            }
        }
    }

    private mutating func keypad(_ what: String, _ body: @escaping (inout KeypadEmulator, LockInstant) -> [PeripheralAction]) {
        room.act("keypad") { device, now in
            guard case .keypad(var d) = device else { return [] }
            defer { device = .keypad(d) }
            return body(&d, now)
        }
        finish("keypad", what)
    }

    private mutating func fob(presses: Int) {
        room.act("fob") { device, now in
            guard case .fob(var d) = device else { return [] }
            defer { device = .fob(d) }
            return d.press(count: presses, at: now)
        }
        finish("fob", "press \(presses)×")
    }

    private mutating func manual(_ action: LockAction, _ how: String = "") {
        let what = "turn to \(action.name ?? "")" + how
        do {
            try room.withLock { lock, now in try lock.manualTurn(action, at: now) }
            record("key", what, describe(room.drain(), for: "key"))
        } catch let error as LockError {
            record("key", what, "refused: \(error.code)")
        } catch {
            record("key", what, "failed: \(error)")
        }
    }

    private mutating func battery(_ percent: Int) {
        room.withLock { lock, now in lock.simulateBattery(percent: percent, at: now) }
        record("lock", "battery at \(percent) %", describe(room.drain(), for: "lock"))
    }

    /// Lets the motor finish (steps of 1 s, lock'n'go holds) and records the request's outcome.
    private mutating func finish(_ name: String, _ what: String) {
        var events = room.drain()
        for _ in 0..<40 where room.machine.isBusy {
            room.advance(to: room.now.adding(milliseconds: 1_000))
            events += room.drain()
        }
        record(name, what, describe(events, for: name))
    }

    /// Events that happened while time passed (auto lock, time control, lock'n'go completing).
    private mutating func collectBackground() {
        let events = room.drain()
        let text = describe(events, for: "lock")
        if !events.isEmpty && text != "—" { record("lock", "(while time passed)", text) }
    }

    private func authID(of type: IDType) -> UInt32 {
        room.machine.authorizations.first { $0.idType == type }?.authID ?? 0
    }

    private mutating func record(_ device: String, _ action: String, _ outcome: String) {
        timeline.append(TimelineEntry(time: Self.clock(room.now), device: device, action: action, outcome: outcome))
    }

    // MARK: Text

    /// `Mon 09:15:00` in Berlin time (CET during the demo week).
    static func clock(_ instant: LockInstant) -> String {
        let local = instant.adding(milliseconds: 3_600_000)
        let (seconds, _) = local.millisecondsSince1970.quotientAndRemainder(dividingBy: 1000)
        let days = Int(seconds / 86_400)
        let names = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let second = Int(seconds % 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(names[((days % 7) + 7) % 7]) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"
    }

    /// The device's feedback and what the lock reported, in order; the lock state and ring light
    /// only as they ended.
    private func describe(_ events: [(source: String, event: InProcessRoom.RoomEvent)], for name: String) -> String {
        var parts: [String] = []
        var finalState: LockState?
        var finalRingLight: RingLight?
        for (source, event) in events {
            switch event {
            case .feedback(let feedback) where source == name:
                parts.append(Self.text(feedback))
            case .feedback, .refused:
                break
            case .disconnected(let reason):
                parts.append("\(source) disconnected (\(reason))")
            case .notQuiet(let stop):
                parts.append("\(source): \(stop)")
            case .lock(let lockEvent):
                switch lockEvent {
                case .lockStateChanged(let state, _): finalState = state
                case .ringLightChanged(let pattern): finalRingLight = pattern
                case .pairingModeEntered: parts.append("pairing mode")
                case .authorizationRevoked(let id): parts.append("auth id \(id) revoked")
                case .batteryCritical(let percent): parts.append("battery critical (\(percent) %): alert")
                case .lockActionCompleted(let action, let trigger, _, _) where trigger != .system:
                    parts.append("\(action.name ?? "") by \(trigger.name ?? "")")
                default: break
                }
            }
        }
        if let finalState { parts.append("lock \(finalState.name ?? "")") }
        if let finalRingLight { parts.append("ring light: \(finalRingLight)") }
        return parts.isEmpty ? "—" : parts.joined(separator: "; ")
    }

    /// One-line text of peripheral feedback (for timelines and command results).
    public static func text(_ feedback: PeripheralFeedback) -> String {
        switch feedback {
        case .paired(let id): return "paired (auth id \(id))"
        case .accepted: return "accepted"
        case .wrongCode: return "wrong code (K_ERROR_CODE_INVALID)"
        case .lockedOut(let code, let ms): return "locked out: \(code.name ?? "") (\(ms / 1000) s left)"
        case .refused(let code): return "refused: \(code.name ?? code.description)"
        case .lowBattery(let percent): return "keypad battery low (\(percent) %)"
        case .entryTimedOut(let digits): return "entry timed out after \(digits) digits"
        case .ignored(let reason): return "ignored: \(reason)"
        case .cardUnreadable(let reason): return "card unreadable: \(reason)"
        case .readBack(_, let state): return "\(Self.lowercasedName(state)) (COMPLETE not received; state read back)"
        case .failed(let error):
            if case .refused(let code) = error.code { return "refused: \(code.name ?? code.description)" }
            return "failed: \(error.reason)"
        }
    }

    /// A lock state's name for a sentence: `UNLOCKED_LOCK_N_GO` → `unlocked lock n go`; an
    /// undocumented value as its number.
    public static func lowercasedName(_ state: LockState) -> String {
        (state.name ?? "lock state \(state)").lowercased().split(separator: "_").joined(separator: " ")
    }

    private func summary() -> String {
        let m = room.machine
        return "\(m.authorizations.count) users, \(m.keypadCodes.codes.count) keypad code, \(m.log.entries.count) log entries, "
            + "battery \(m.batteryPercent) %, lock \(m.lockState.name ?? "")"
    }
}
