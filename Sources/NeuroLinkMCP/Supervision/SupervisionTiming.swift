/// The time limits of supervision; tests shorten them.
struct SupervisionTiming: Sendable {
    /// Starting a process (or reaching a server) and the `initialize` exchange.
    var handshake: Duration = .seconds(15)
    /// Listing tools, every page together.
    var listing: Duration = .seconds(15)
    /// How often a ready server is pinged; a server that stops answering without exiting is
    /// otherwise only noticed by the calls that time out.
    var pingInterval: Duration = .seconds(30)
    /// How long a ping may take.
    var pingTimeout: Duration = .seconds(10)
    /// Between `SIGTERM` and `SIGKILL`.
    var terminationGrace: Duration = .seconds(2)
    /// How long a connection must have been ready for the backoff to start over.
    var stable: Duration = .seconds(60)

    static let standard = SupervisionTiming()
}
