import DecoderHarness
import FuzzSupport
import NeuroLinkProviders

/// Gemini `streamGenerateContent?alt=sse` (Google AI and Vertex), cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeminiDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    checkDecoder(body: input.payload, input: input, invariance: .exact) { GeminiStreamDecoder(provider: "fuzz") }
    return 0
}
