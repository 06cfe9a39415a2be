extension CurlLoop {
    /// Sends `request` and returns the response's HTTP status, reading and discarding its body
    /// (pushes and webhooks care about nothing else); 0 when the response ended without a status.
    public func status(of request: HTTPRequest) async throws -> Int {
        let transfer = try start(request)
        defer { transfer.cancel() }  // No-op once finished; aborts the transfer on any early exit.
        guard case .head(let head)? = try await transfer.next() else { return 0 }
        while case .body? = try await transfer.next() {}
        return head.status
    }
}
