import DecoderHarness
import FuzzSupport
import NeuroLinkProviders

/// Anthropic Messages SSE, cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnthropicDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    checkDecoder(body: input.payload, input: input, invariance: .exact) { AnthropicStreamDecoder(provider: "fuzz") }
    return 0
}
