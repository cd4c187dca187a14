/// Limits of the push worker (PROTOCOL.md 9), with the defaults of the
/// protocol and of docs/protocol.md; `roost serve` exposes each as a flag.
public struct PushSettings: Sendable {
    /// At most one request per device per interval, retries included; also
    /// the first retry delay, which doubles with each failure.
    public var interval: Duration = .seconds(10)
    /// One request (connect, send, response head, body) must finish within this.
    public var requestTimeout: Duration = .seconds(10)
    /// Requests in flight at once, over all devices.
    public var concurrency: Int = 16
    /// A failing push is dropped this long after its first attempt.
    public var giveUpAfter: Duration = .seconds(24 * 3600)
    /// Devices with a push pending, in backoff or within their interval;
    /// commits for further devices are dropped (and counted) until room frees up.
    public var maxPendingDevices: Int = 10_000
    /// Devices of one user that may register an endpoint (`conflict` beyond).
    public var maxEndpointsPerUser: Int = 10
    /// Whether endpoints on loopback, private, link-local and other non-public
    /// addresses are accepted. On by default: a self-hosted distributor (ntfy
    /// on the same box or the LAN) and a test's local receiver live there, and
    /// the POST carries a fixed body whose answer the user never sees. A
    /// public instance turns it off (`push-deny-private`, docs/security.md).
    public var allowPrivateAddresses = true
    /// Longest endpoint URL accepted, in UTF-8 bytes.
    public var maxEndpointBytes = 2_048

    public init() {}
}
