import Foundation

/// Round counts and lengths of one run.
struct BenchConfig {
    /// Timed rounds per row; the median and the minimum are reported.
    var rounds: Int
    /// Each timed round runs enough iterations to last at least this long.
    var roundSeconds: Double
    /// Untimed running before the rounds (also calibrates the iteration count).
    var warmupSeconds: Double

    /// Codec seal+open of a Lock Action may cost at most this many times raw seal+open.
    static let ratioTarget = 1.5

    /// The default: 7 rounds of ≥ 0.2 s after ≥ 0.1 s of warm-up.
    static let standard = BenchConfig(rounds: 7, roundSeconds: 0.2, warmupSeconds: 0.1)
    /// `--quick`: 3 rounds of ≥ 20 ms, for CI smoke runs.
    static let quick = BenchConfig(rounds: 3, roundSeconds: 0.02, warmupSeconds: 0.01)

    var roundSecondsLabel: String { roundSeconds >= 0.1 ? "\(fixed(roundSeconds, 1)) s" : "\(Int(roundSeconds * 1000)) ms" }
    var warmupSecondsLabel: String { warmupSeconds >= 0.1 ? "\(fixed(warmupSeconds, 1)) s" : "\(Int(warmupSeconds * 1000)) ms" }
}

/// Median, minimum and maximum of a set of samples.
struct Stats {
    var median: Double
    var min: Double
    var max: Double
    var count: Int

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        median = sorted.count % 2 == 1
            ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }
}

/// Runs benchmark bodies on the calling thread and prints one table row each.
///
/// A body takes an iteration count `n`, runs its operation `n` times and returns a value that
/// depends on every iteration; the values are folded into ``sink``, which is printed at the end, so
/// the optimiser cannot drop the work.
struct Bench {
    let config: BenchConfig
    /// Fold of every body's result (the blackhole).
    private(set) var sink: UInt64 = 0
    private let clock = ContinuousClock()

    init(config: BenchConfig) { self.config = config }

    private static let columns = "  %-42@ %6@ %11@ %11@ %13@ %11@"

    func header() {
        print(row("benchmark", "bytes", "ns/op med", "ns/op min", "op/s med", "MB/s med"))
        print(String(repeating: "-", count: 103))
    }

    func section(_ title: String) {
        print(title)
    }

    private func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String, _ f: String) -> String {
        "  " + a.padding(toLength: 42, withPad: " ", startingAt: 0) + " " + leftPad(b, 6) + " " + leftPad(c, 11)
            + " " + leftPad(d, 11) + " " + leftPad(e, 13) + " " + leftPad(f, 11)
    }

    /// Seconds taken by `body(n)`, its result folded into the sink.
    private mutating func time(_ n: Int, _ body: (Int) -> UInt64) -> Double {
        let start = clock.now
        let value = body(n)
        let elapsed = clock.now - start
        sink = sink &* 31 &+ value
        let (s, attos) = elapsed.components
        return Double(s) + Double(attos) * 1e-18
    }

    /// Warms `body` up for at least `config.warmupSeconds` and returns the iteration count that makes
    /// one round last at least `config.roundSeconds`.
    private mutating func calibrate(_ body: (Int) -> UInt64) -> Int {
        var n = 1
        var spent = 0.0
        var last = time(n, body)
        spent += last
        while last < config.warmupSeconds / 4 || spent < config.warmupSeconds {
            if last < config.warmupSeconds / 4 { n *= 2 }
            last = time(n, body)
            spent += last
        }
        let perOp = last / Double(n)
        return max(1, Int((config.roundSeconds / perOp).rounded(.up)))
    }

    /// Nanoseconds per operation of `body` over the configured rounds; prints the row.
    /// `bytes` is the message size shown; with `throughput` the MB/s column (10^6 bytes) is filled.
    @discardableResult
    mutating func run(_ name: String, bytes: Int, throughput: Bool = false, _ body: (Int) -> UInt64) -> Stats {
        let n = calibrate(body)
        var samples: [Double] = []
        for _ in 0..<config.rounds {
            samples.append(time(n, body) / Double(n) * 1e9)
        }
        let stats = Stats(samples)
        let mbps = throughput ? fixed(Double(bytes) / stats.median * 1e3, 1) : ""
        print(row(name, "\(bytes)", fixed(stats.median, 1), fixed(stats.min, 1), grouped(1e9 / stats.median), mbps))
        return stats
    }

    /// Alternates rounds of `a` and `b` (same iteration count each) and returns the per-round ratios
    /// time(a) / time(b), so that load from elsewhere affects both sides of each ratio alike.
    mutating func paired(_ a: (Int) -> UInt64, _ b: (Int) -> UInt64) -> Stats {
        let na = calibrate(a)
        let nb = calibrate(b)
        var ratios: [Double] = []
        for _ in 0..<max(config.rounds, 5) {
            let ta = time(na, a) / Double(na)
            let tb = time(nb, b) / Double(nb)
            ratios.append(ta / tb)
        }
        return Stats(ratios)
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}

/// An integer with thin-space-free thousands separators: 1,234,567.
func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return out
}

func leftPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
