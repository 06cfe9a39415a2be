import Logging
import NIOCore
import NeuroLinkCore
import NeuroLinkSystemd

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's listening socket: the one systemd passed (socket activation), or one the daemon
/// binds at the configured path.
struct Listening: Sendable {
    let listener: Listener
    /// The path clients connect to, as `status` reports it.
    let socketPath: String
    /// Whether the socket came from systemd. Its file then belongs to the `.socket` unit: the daemon
    /// neither prepares, chmods nor unlinks it, so connections queue there across restarts.
    let activated: Bool

    /// Why the socket cannot be taken.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot listen on \(path): \(reason)" }
    }

    /// - Parameters:
    ///   - path: where to bind when not socket-activated.
    ///   - configured: the path the operator asked for (`--socket`, `NEUROLINK_SOCKET`, `server.socket`), if any;
    ///     a passed socket elsewhere is worth a log line, the per-user default is not.
    static func open(
        activated: ActivatedSocket?,
        path: String,
        configured: String?,
        server: DaemonConfig.Server,
        group: any EventLoopGroup,
        logger: Logger
    ) async throws(Failure) -> Listening {
        if let activated {
            let activatedPath = activated.path ?? path
            do {
                let listener = try await RPCServer.adopt(descriptor: activated.descriptor, group: group)
                if let configured, configured != activatedPath {
                    logger.notice(
                        "using the socket passed by systemd instead of the configured path",
                        metadata: [
                            "socket": "\(activatedPath)", "configured_socket": "\(configured)",
                        ]
                    )
                }
                return Listening(listener: listener, socketPath: activatedPath, activated: true)
            } catch {
                throw Failure(
                    path: activatedPath,
                    reason: "cannot adopt the socket passed by systemd (fd \(activated.descriptor)): \(error)"
                )
            }
        }
        do {
            try SocketFile.prepare(path: path, logger: logger)
            let listener = try await SocketFile.withCreationMode(server.socketMode) {
                try await RPCServer.bind(path: path, group: group)
            }
            return Listening(listener: listener, socketPath: path, activated: false)
        } catch {
            throw Failure(path: path, reason: "\(error)")
        }
    }

    /// Removes the socket file the daemon created; a socket systemd passed is left alone.
    func removeSocketFile() {
        if !activated { unlink(socketPath) }
    }
}
