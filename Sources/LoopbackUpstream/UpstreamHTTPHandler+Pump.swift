import NIOCore
import NIOHTTP1

extension UpstreamHTTPHandler {
    /// Body writes between flushes when no delay separates them.
    static let flushInterval = 32
    /// Body writes before the pump yields the event loop to other connections.
    static let writesPerTick = 512

    /// Carries out script steps until the response pauses, blocks on writability, or ends.
    func pump(context: ChannelHandlerContext) {
        guard let job, case .running = job.phase else { return }
        var writes = 0
        while context.channel.isActive {
            guard context.channel.isWritable else {
                job.phase = .awaitingWritability
                context.flush()
                return
            }
            if writes >= Self.writesPerTick {
                job.phase = .yielded
                context.flush()
                context.eventLoop.assumeIsolated().execute { self.resume(job, context: context) }
                return
            }
            switch job.script.next(allocator: context.channel.allocator) {
            case .head(let head):
                job.headWritten = true
                context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
            case .body(let buffer):
                context.write(Self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                writes += 1
                if writes % Self.flushInterval == 0 {
                    context.flush()
                }
            case .pause(let delay):
                context.flush()
                let timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                    self.resume(job, context: context)
                }
                job.phase = .sleeping(timer)
                return
            case .end:
                finish(job, context: context)
                return
            case .abort:
                abort(job, context: context)
                return
            case .hold:
                job.phase = .holding
                context.flush()
                return
            }
        }
    }

    /// Continues `job` if it is still this connection's current response.
    func resume(_ job: ResponseJob, context: ChannelHandlerContext) {
        guard self.job === job else { return }
        job.phase = .running
        pump(context: context)
    }

    /// Terminates the body and records completion once it is written.
    private func finish(_ job: ResponseJob, context: ChannelHandlerContext) {
        self.job = nil
        let state = self.state
        let index = job.recordIndex
        let keepAlive = job.keepAlive
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success: state.markCompleted(index, at: .now)
            case .failure: state.markClientClosed(index, at: .now)
            }
            if !keepAlive {
                context.close(promise: nil)
            }
        }
    }

    /// Closes the connection mid-response, after what was already written reaches the socket.
    private func abort(_ job: ResponseJob, context: ChannelHandlerContext) {
        self.job = nil
        closingByServer = true
        state.markServerAborted(job.recordIndex, at: .now)
        guard job.headWritten else {
            context.close(promise: nil)
            return
        }
        // An empty body part frames nothing but completes after everything written before it.
        let drained = context.eventLoop.makePromise(of: Void.self)
        let empty = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(Self.wrapOutboundOut(.body(.byteBuffer(empty))), promise: drained)
        drained.futureResult.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
