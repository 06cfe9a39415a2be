import Foundation
import FuzzSupport
import NIOCore
import NIOEmbedded
@_spi(FastPath) import NeuroLinkProtocol

/// Far below the daemon's default, so the fuzzer reaches the limit with small inputs.
let maxFrameBytes = 2048

/// The frames a connection's pipeline produced from a byte stream, and the error that ended it.
struct FrameOutcome: Equatable {
    var frames: [[UInt8]] = []
    var error: String?
}

/// Feeds `pieces` through the daemon's pipeline (`ByteToMessageHandler(FrameDecoder)`), one
/// socket read per piece, then closes the connection as the peer would.
func frames(_ pieces: [[UInt8]]) -> FrameOutcome {
    let channel = EmbeddedChannel()
    var outcome = FrameOutcome()
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
    } catch {
        invariant(false, "could not set up the pipeline: \(error)")
    }
    func collect() {
        while let frame = try? channel.readInbound(as: ByteBuffer.self) {
            outcome.frames.append(Array(frame.readableBytesView))
        }
    }
    for piece in pieces {
        var buffer = channel.allocator.buffer(capacity: piece.count)
        buffer.writeBytes(piece)
        do { try channel.writeInbound(buffer) } catch {
            collect()
            outcome.error = "\(error)"
            _ = try? channel.finish()
            return outcome
        }
        collect()
    }
    do { _ = try channel.finish() } catch { outcome.error = "at close: \(error)" }
    collect()
    return outcome
}

/// Frames built by the harness: every NUL-separated record of `payload` behind a correct length.
func framed(_ payload: [UInt8]) -> [UInt8] {
    var stream: [UInt8] = []
    for body in payload.split(separator: 0, omittingEmptySubsequences: false) {
        let length = UInt32(body.count)
        stream += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        stream += body
    }
    return stream
}

/// Handles one frame body as the daemon's connection handler does, and as a client reads one.
func handle(_ body: [UInt8]) {
    var buffer = ByteBufferAllocator().buffer(capacity: body.count)
    buffer.writeBytes(body)
    switch InboundRequest.parse(buffer) {
    case .failure(let failure):
        reply(failure.error)
    case .success(let request):
        switch request.method {
        case Method.stream, Method.generate:
            do {
                let params = try StreamRequest(json: request.params)
                _ = try? JSONEncoder().encode(params)
            } catch {
                reply(error)
            }
        case Method.cancel:
            _ = request.params?["requestId"].flatMap(RPCID.init(json:))
        default:
            break
        }
    }
    compareClientPaths(buffer)
    compareWithFoundation(body)
}

/// The client's fast path for content chunks reads a frame as `JSONDecoder` does, or declines.
func compareClientPaths(_ frame: ByteBuffer) {
    let fast = try? ClientInbound.parse(frame, fastPath: true)
    let full = try? ClientInbound.parse(frame, fastPath: false)
    invariant(
        same(fast, full),
        "the fast path read \(String(describing: fast)), JSONDecoder \(String(describing: full))"
    )
}

private func same(_ a: ClientInbound?, _ b: ClientInbound?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case (.chunk(let x), .chunk(let y)): x == y
    case (.success(let i, let x), .success(let j, let y)): i == j && x == y
    case (.failure(let i, let x), .failure(let j, let y)): i == j && "\(x)" == "\(y)"
    case (.unknownNotification(let x), .unknownNotification(let y)): x == y
    default: false
    }
}

/// A body that both the daemon's parser and Foundation's `JSONDecoder` read must read to the same
/// value (where they differ on acceptance is listed in `JSONParserDifferentialTests`). Deeply
/// nested bodies are skipped: Foundation's cost grows with the cube of the depth.
func compareWithFoundation(_ body: [UInt8]) {
    guard body.count(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }) <= 64,
        let ours = try? JSONValue(parsing: ByteBuffer(bytes: body)),
        let theirs = try? JSONDecoder().decode(JSONValue.self, from: Data(body))
    else { return }
    invariant(ours == theirs, "the parser read \(ours), Foundation \(theirs)")
}

/// Error replies quote parts of the request; they must always encode.
func reply(_ error: RPCError) {
    invariant((try? JSONEncoder().encode(error)) != nil, "an error reply could not be encoded: \(error)")
}

/// The socket protocol: length-prefixed frames through the daemon's NIO decoder, cut into reads as
/// the input says, then every frame through JSON-RPC request and `stream` params parsing. The byte
/// stream is the raw payload, or (alternate mode) NUL-separated bodies the harness frames itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let stream = input.alternateMode ? framed(input.payload) : input.payload
    let whole = frames(stream.isEmpty ? [] : [stream])
    let cut = frames(input.pieces(of: stream))
    invariant(whole == cut, "cut stream framed differently: whole \(whole), cut \(cut)")
    for frame in whole.frames {
        invariant(frame.count <= maxFrameBytes, "a frame above the limit was delivered")
        handle(frame)
    }
    return 0
}
