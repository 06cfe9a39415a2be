import DecoderHarness
import FuzzSupport
import NeuroLinkProviders

/// Ollama `/api/chat` NDJSON, cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOllamaDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    checkDecoder(body: input.payload, input: input, invariance: .exact) { OllamaStreamDecoder(provider: "fuzz") }
    return 0
}
