extension Duration {
    /// This duration as the millisecond timeout of `poll(2)`, `epoll_wait(2)` or `hci_send_req`:
    /// rounded up (a wait never ends early), 0 for zero or negative durations, clamped to Int32.max.
    public var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return 0 }
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return Int32.max }
        let extra = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms.partialValue + extra)
    }
}
