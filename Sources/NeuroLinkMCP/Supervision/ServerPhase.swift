import NeuroLinkProtocol

/// The life-cycle phase of a server, as ``MCPServerStatus/state`` reports it.
enum ServerPhase: String, Sendable {
    case starting
    case ready
    case restarting
    case failed
    case stopped
}
