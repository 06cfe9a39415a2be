import Foundation
import MCP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// mcp-test-server stdio [--ignore-term] [--tag ANY]
// mcp-test-server http PORT        (PORT 0 picks one; the port is printed as "listening on PORT")
let arguments = Array(CommandLine.arguments.dropFirst())
// Lets tests check that a server ignoring SIGTERM (and end of file) is killed after the grace period.
let stubborn = arguments.contains("--ignore-term")
if stubborn { signal(SIGTERM, SIG_IGN) }
FileHandle.standardError.write(Data("mcp-test-server starting\n".utf8))

switch arguments.first {
case "stdio":
    let server = await TestTools.makeServer()
    try await server.start(transport: StdioTransport())
    await server.waitUntilCompleted()
    while stubborn { try? await Task.sleep(for: .seconds(3600)) }
case "http":
    let port = arguments.count > 1 ? Int(arguments[1]) ?? 0 : 0
    try await HTTPHost.run(port: port)
default:
    FileHandle.standardError.write(Data("usage: mcp-test-server stdio | http PORT\n".utf8))
    exit(64)
}
