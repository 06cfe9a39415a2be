import DecoderHarness
import FuzzSupport
import NeuroLinkProviders

/// SageMaker `InvokeEndpointWithResponseStream` around a Text Generation Inference container: raw
/// event-stream bytes, or (alternate mode) `PayloadPart`s the harness frames from a text
/// description (see `EventStreamFraming.messages(fromText:)`), cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSageMakerTGIDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let body = input.alternateMode ? EventStreamFraming.messages(fromText: input.payload) : input.payload
    checkDecoder(body: body, input: input, invariance: .sameOutcome) {
        SageMakerStreamDecoder(provider: "fuzz", container: TGIStreamDecoder(provider: "fuzz"))
    }
    return 0
}
