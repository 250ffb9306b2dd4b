/// The one loop that moves PDUs between a lock and its clients until quiet, and its one round cap.
///
/// Every in-process driver runs its rounds through ``run(_:limit:_:)``: the rooms (`LockRoom`,
/// its engines and its links), the demo through them, ``NukiGATTCentral``'s GATT set-up (for
/// `PeripheralClient`, the rooms and the security bench alike), and the fuzz harnesses that play a
/// client against the lock engine. A round moves whatever is waiting (the lock's loop turned once,
/// each client's link read, each queued write delivered) and says whether anything moved; the
/// driver stops at the first round that moved nothing. A conversation that is still moving after
/// ``roundLimit`` rounds is a fault (two ends answering each other for ever), reported as
/// ``NotQuiet`` rather than cut off silently. `docs/architecture.md` §10.
public enum PDUDriver {
    /// Rounds one call runs at most: 10,000. A Nuki exchange takes a handful (GATT set-up: about 15
    /// PDUs at ATT_MTU 247, 60 at ATT_MTU 23; a long log read at MTU 23: a few hundred indications).
    public static let roundLimit = 10_000

    /// The conversation was still moving after `rounds` rounds.
    public struct NotQuiet: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was being driven (e.g. `fob's write`, `GATT set-up of keypad`).
        public let what: String
        /// The rounds run (the limit).
        public let rounds: Int
        /// `<what> still moving after <rounds> rounds`.
        public var description: String { "\(what) still moving after \(rounds) rounds" }
    }

    /// Runs `round` until it returns false (nothing moved, or the caller's goal is reached), at
    /// most `limit` times.
    /// - Returns: the rounds run, the last (quiet) one included.
    /// - Throws: ``NotQuiet`` when `round` still returned true on the `limit`th round.
    @discardableResult
    public static func run(_ what: @autoclosure () -> String, limit: Int = roundLimit, _ round: () -> Bool) throws(NotQuiet) -> Int {
        var rounds = 0
        while rounds < limit {
            rounds += 1
            if !round() { return rounds }
        }
        throw NotQuiet(what: what(), rounds: rounds)
    }
}
