import Logging

extension LogHandler {
    /// The metadata of one entry in swift-log's order: the handler's, then its provider's, then the
    /// call's; later ones win.
    func mergedMetadata(_ event: LogEvent) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        return merged
    }
}
