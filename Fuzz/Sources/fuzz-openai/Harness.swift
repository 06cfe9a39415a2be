import DecoderHarness
import FuzzSupport
import NeuroLinkProviders

/// OpenAI Chat Completions SSE (also Azure and every OpenAI-compatible server), cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAIDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    checkDecoder(body: input.payload, input: input, invariance: .exact) { OpenAIStreamDecoder(provider: "fuzz") }
    return 0
}
