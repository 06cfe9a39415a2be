import COpenBLAS
import Foundation
import Synchronization

/// all-MiniLM-L6-v2's forward pass: a 6-layer BERT encoder (hidden size 384, 12 heads of 32,
/// feed-forward 1536, exact-erf GELU, layer norm ε 1e-12), mean pooling over the tokens and L2
/// normalisation. Matrix products go through OpenBLAS's `cblas_sgemm` (``BLAS``); the rest is plain loops.
/// Weights are read once from `model.safetensors` (about 87 MiB of `Float`s) and never change.
struct MiniLM: Sendable {
    static let hidden = 384
    static let heads = 12
    static let headSize = 32
    static let feedForward = 1536
    static let layerCount = 6
    static let vocabularySize = 30522
    static let positions = 512
    static let epsilon: Float = 1e-12

    struct Layer: Sendable {
        /// Query, key and value in one `[3 × 384, 384]` product: one `sgemm` instead of three.
        var queryKeyValue: Linear
        var output: Linear
        var attentionNorm: Norm
        var intermediate: Linear, down: Linear
        var outputNorm: Norm
    }

    /// `y = x · Wᵀ + b`, with `W` stored as PyTorch does: `[out, in]`, row-major.
    struct Linear: Sendable {
        var weight: [Float]
        var bias: [Float]
        var inputs: Int
        var outputs: Int
    }

    struct Norm: Sendable {
        var weight: [Float]
        var bias: [Float]
    }

    let wordEmbeddings: [Float]
    let positionEmbeddings: [Float]
    let typeEmbedding: [Float]
    let embeddingNorm: Norm
    let layers: [Layer]

    /// OpenBLAS, opened by the first model to load.
    let blas: BLAS

    init(weights path: String) throws(EmbeddingError) {
        blas = try BLAS.shared()
        let file = try SafeTensors(contentsOf: path)
        let h = Self.hidden
        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [Self.vocabularySize, h])
        positionEmbeddings = try file.floats("embeddings.position_embeddings.weight", shape: [Self.positions, h])
        typeEmbedding = Array(try file.floats("embeddings.token_type_embeddings.weight", shape: [2, h]).prefix(h))
        embeddingNorm = try Self.norm(file, "embeddings.LayerNorm")
        var layers: [Layer] = []
        for index in 0..<Self.layerCount {
            let prefix = "encoder.layer.\(index)."
            layers.append(
                Layer(
                    queryKeyValue: Self.stacked(
                        try ["query", "key", "value"].map { part throws(EmbeddingError) in
                            try Self.linear(file, prefix + "attention.self." + part, h, h)
                        }
                    ),
                    output: try Self.linear(file, prefix + "attention.output.dense", h, h),
                    attentionNorm: try Self.norm(file, prefix + "attention.output.LayerNorm"),
                    intermediate: try Self.linear(file, prefix + "intermediate.dense", h, Self.feedForward),
                    down: try Self.linear(file, prefix + "output.dense", Self.feedForward, h),
                    outputNorm: try Self.norm(file, prefix + "output.LayerNorm")
                )
            )
        }
        self.layers = layers
    }

    private static func linear(
        _ file: SafeTensors,
        _ name: String,
        _ inputs: Int,
        _ outputs: Int
    ) throws(EmbeddingError)
        -> Linear
    {
        Linear(
            weight: try file.floats(name + ".weight", shape: [outputs, inputs]),
            bias: try file.floats(name + ".bias", shape: [outputs]),
            inputs: inputs,
            outputs: outputs
        )
    }

    /// Linears over the same input, one after another in the output.
    private static func stacked(_ parts: [Linear]) -> Linear {
        Linear(
            weight: parts.flatMap(\.weight),
            bias: parts.flatMap(\.bias),
            inputs: parts.first?.inputs ?? hidden,
            outputs: parts.reduce(0) { $0 + $1.outputs }
        )
    }

    private static func norm(_ file: SafeTensors, _ name: String) throws(EmbeddingError) -> Norm {
        Norm(
            weight: try file.floats(name + ".weight", shape: [hidden]),
            bias: try file.floats(name + ".bias", shape: [hidden])
        )
    }

    /// Serialises every forward pass in the process: OpenBLAS keeps global state (its buffers and
    /// thread count), and two threads inside `cblas_sgemm` at once crashed it. The daemon runs
    /// passes on its one embedding thread anyway; this guards tests and tools that call directly.
    private static let blas = Mutex(())

    /// The L2-normalised sentence vector of `ids` (at most 512 tokens; ids outside the
    /// vocabulary are read as `[UNK]`, id 100).
    func embed(_ ids: [Int32]) -> [Float] {
        Self.blas.withLock { _ in forward(ids) }
    }

    private func forward(_ ids: [Int32]) -> [Float] {
        let n = min(ids.count, Self.positions)
        guard n > 0 else { return [Float](repeating: 0, count: Self.hidden) }
        let h = Self.hidden
        var x = [Float](repeating: 0, count: n * h)
        for token in 0..<n {
            let id = Int(ids[token])
            let row = (0..<Self.vocabularySize).contains(id) ? id : 100
            for column in 0..<h {
                x[token * h + column] =
                    wordEmbeddings[row * h + column] + positionEmbeddings[token * h + column] + typeEmbedding[column]
            }
        }
        Self.layerNorm(&x, rows: n, embeddingNorm)
        for layer in layers { encode(&x, rows: n, layer) }
        return Self.meanPooled(x, rows: n)
    }

    private func encode(_ x: inout [Float], rows n: Int, _ layer: Layer) {
        let h = Self.hidden
        // Rows of [query | key | value], 3 × 384 wide.
        let qkv = apply(layer.queryKeyValue, x, rows: n)
        let width = 3 * h
        var context = [Float](repeating: 0, count: n * h)
        var scores = [Float](repeating: 0, count: n * n)
        let scale = 1 / Float(Self.headSize).squareRoot()
        for head in 0..<Self.heads {
            let offset = head * Self.headSize
            product(
                qkv,
                rowsA: n,
                qkv,
                transposeB: true,
                columnsB: n,
                inner: Self.headSize,
                scale: scale,
                offset: offset,
                offsetB: h + offset,
                into: &scores,
                strideA: width,
                strideB: width,
                strideC: n,
                offsetC: 0
            )
            Self.softmaxRows(&scores, rows: n)
            product(
                scores,
                rowsA: n,
                qkv,
                transposeB: false,
                columnsB: Self.headSize,
                inner: n,
                scale: 1,
                offset: 0,
                offsetB: 2 * h + offset,
                into: &context,
                strideA: n,
                strideB: width,
                strideC: h,
                offsetC: offset
            )
        }
        var attended = apply(layer.output, context, rows: n)
        for index in attended.indices { attended[index] += x[index] }
        Self.layerNorm(&attended, rows: n, layer.attentionNorm)
        var expanded = apply(layer.intermediate, attended, rows: n)
        Self.gelu(&expanded)
        var out = apply(layer.down, expanded, rows: n)
        for index in out.indices { out[index] += attended[index] }
        Self.layerNorm(&out, rows: n, layer.outputNorm)
        x = out
    }

    /// `x · Wᵀ + b` for `rows` rows of `x`.
    private func apply(_ linear: Linear, _ x: [Float], rows n: Int) -> [Float] {
        var y = [Float](repeating: 0, count: n * linear.outputs)
        product(
            x,
            rowsA: n,
            linear.weight,
            transposeB: true,
            columnsB: linear.outputs,
            inner: linear.inputs,
            scale: 1,
            offset: 0,
            into: &y,
            strideA: linear.inputs,
            strideB: linear.inputs,
            strideC: linear.outputs,
            offsetC: 0
        )
        for row in 0..<n {
            for column in 0..<linear.outputs { y[row * linear.outputs + column] += linear.bias[column] }
        }
        return y
    }

    /// `C[offsetC…] = scale · A[offset…] · B[offsetB…]` (or `· Bᵀ`), row-major with the given
    /// strides: one `cblas_sgemm`. `offset` also applies to `B` unless `offsetB` is given.
    private func product(
        _ a: [Float],
        rowsA: Int,
        _ b: [Float],
        transposeB: Bool,
        columnsB: Int,
        inner: Int,
        scale: Float,
        offset: Int,
        offsetB: Int? = nil,
        into c: inout [Float],
        strideA: Int,
        strideB: Int,
        strideC: Int,
        offsetC: Int
    ) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                    blas.sgemm(
                        CblasRowMajor,
                        CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans,
                        Int32(rowsA),
                        Int32(columnsB),
                        Int32(inner),
                        scale,
                        a + offset,
                        Int32(strideA),
                        b + (offsetB ?? offset),
                        Int32(strideB),
                        0,
                        c + offsetC,
                        Int32(strideC)
                    )
                }
            }
        }
    }

    /// Exact GELU, `x · Φ(x)`, with erf from Abramowitz and Stegun 7.1.26 (absolute error at most
    /// 1.5e-7, below `Float`'s resolution here): libm's `erff` took an eighth of a forward pass.
    private static func gelu(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { values in
            for index in values.indices {
                let x = values[index]
                let z = abs(x) * 0.707_106_77
                let t = 1 / (1 + 0.327_591_1 * z)
                let polynomial =
                    ((((1.061_405_4 * t - 1.453_152_1) * t + 1.421_413_7) * t - 0.284_496_74) * t + 0.254_829_6) * t
                let erfAbs = 1 - polynomial * exp(-z * z)
                values[index] = 0.5 * x * (1 + (x < 0 ? -erfAbs : erfAbs))
            }
        }
    }

    private static func softmaxRows(_ s: inout [Float], rows n: Int) {
        for row in 0..<n {
            let base = row * n
            var peak = -Float.infinity
            for column in 0..<n { peak = max(peak, s[base + column]) }
            var sum: Float = 0
            for column in 0..<n {
                let value = exp(s[base + column] - peak)
                s[base + column] = value
                sum += value
            }
            for column in 0..<n { s[base + column] /= sum }
        }
    }

    private static func layerNorm(_ x: inout [Float], rows n: Int, _ norm: Norm) {
        let h = hidden
        for row in 0..<n {
            let base = row * h
            var mean: Float = 0
            for column in 0..<h { mean += x[base + column] }
            mean /= Float(h)
            var variance: Float = 0
            for column in 0..<h {
                let d = x[base + column] - mean
                variance += d * d
            }
            variance /= Float(h)
            let inverse = 1 / (variance + epsilon).squareRoot()
            for column in 0..<h {
                x[base + column] = (x[base + column] - mean) * inverse * norm.weight[column] + norm.bias[column]
            }
        }
    }

    private static func meanPooled(_ x: [Float], rows n: Int) -> [Float] {
        let h = hidden
        var pooled = [Float](repeating: 0, count: h)
        for row in 0..<n {
            for column in 0..<h { pooled[column] += x[row * h + column] }
        }
        var length: Float = 0
        for column in 0..<h {
            pooled[column] /= Float(n)
            length += pooled[column] * pooled[column]
        }
        let scale = 1 / max(length.squareRoot(), 1e-12)
        return pooled.map { $0 * scale }
    }
}
