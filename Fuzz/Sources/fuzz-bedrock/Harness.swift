import DecoderHarness
import FuzzSupport
import NeuroLinkProviders

/// Bedrock ConverseStream: raw event-stream bytes, or (alternate mode) messages the harness frames
/// from a text description (see `EventStreamFraming.messages(fromText:)`), cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBedrockDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let body = input.alternateMode ? EventStreamFraming.messages(fromText: input.payload) : input.payload
    checkDecoder(body: body, input: input, invariance: .wholeSuccessImpliesSplitSuccess) {
        BedrockStreamDecoder(provider: "fuzz")
    }
    return 0
}
