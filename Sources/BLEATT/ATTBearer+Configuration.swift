extension ATTBearer {
    /// The fixed parameters of one ``ATTBearer``.
    public struct Configuration: Hashable, Sendable {
        /// The ATT_MTU this side can receive, offered in Exchange MTU (Bluetooth Core 5.4, Vol 3,
        /// Part F, §3.4.2): clamped into ``ATTLimits/defaultMTU``…``ATTLimits/maximumMTU``.
        public var localMTU: Int {
            didSet { localMTU = Self.clampMTU(localMTU) }
        }
        /// The most Prepare Write Requests queued at once; one more is answered with Prepare Queue
        /// Full (§3.4.6.1).
        public var maxPreparedWrites: Int
        /// The most part-value octets queued at once; a request that would exceed it is answered with
        /// Prepare Queue Full.
        public var maxPreparedBytes: Int
        /// How long a request waits for its response, and an indication for its confirmation, before
        /// the transaction fails (§3.3.3: 30 seconds).
        public var transactionTimeout: Duration
        /// Whether this side answers an Exchange MTU Request. False (a server from before the MTU
        /// exchange, e.g. Nuki Smart Lock firmware before 1.9.3 / 2.7.20): the request gets an
        /// Error Response Request Not Supported (0x06, handle 0x0000) and ATT_MTU stays 23 (§3.4.1.1).
        public var exchangesMTU: Bool

        /// Defaults: local MTU 517, 64 prepared writes, 1024 prepared octets, 30 s transaction
        /// timeout, Exchange MTU answered.
        public init(
            localMTU: Int = ATTLimits.maximumMTU,
            maxPreparedWrites: Int = 64,
            maxPreparedBytes: Int = 1024,
            transactionTimeout: Duration = ATTLimits.transactionTimeout,
            exchangesMTU: Bool = true
        ) {
            self.exchangesMTU = exchangesMTU
            self.localMTU = Self.clampMTU(localMTU)
            self.maxPreparedWrites = max(0, maxPreparedWrites)
            self.maxPreparedBytes = max(0, maxPreparedBytes)
            self.transactionTimeout = transactionTimeout
        }

        /// Bounds an MTU to 23…517.
        static func clampMTU(_ mtu: Int) -> Int { min(max(mtu, ATTLimits.defaultMTU), ATTLimits.maximumMTU) }
    }
}
