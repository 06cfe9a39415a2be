/// The vectors of ``Scenario/wordVectors(dimensions:delay:)``: bags of words, in the embedding
/// formats of OpenAI and Ollama.
enum WordVectors {
    static func vector(_ text: String, dimensions: Int) -> [Double] {
        var vector = [Double](repeating: 0, count: max(1, dimensions))
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        for word in words { vector[Int(fnv1a(word) % UInt64(vector.count))] += 1 }
        return vector
    }

    /// FNV-1a over the word's UTF-8: stable across runs, unlike `Hasher`.
    private static func fnv1a(_ word: Substring) -> UInt64 {
        word.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    static func openAIBody(_ vectors: [[Double]]) -> String {
        let data = vectors.enumerated().map { index, vector in
            #"{"object":"embedding","index":\#(index),"embedding":\#(list(vector))}"#
        }
        return
            #"{"object":"list","data":[\#(data.joined(separator: ","))],"model":"words","usage":{"prompt_tokens":1,"total_tokens":1}}"#
    }

    static func ollamaBody(_ vectors: [[Double]]) -> String {
        #"{"model":"words","embeddings":[\#(vectors.map(list).joined(separator: ","))],"prompt_eval_count":1}"#
    }

    private static func list(_ vector: [Double]) -> String {
        "[" + vector.map { String($0) }.joined(separator: ",") + "]"
    }
}
