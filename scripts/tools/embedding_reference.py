#!/usr/bin/env python3
"""Generate the reference fixture for NeuroLink's Swift all-MiniLM-L6-v2 embedder.

The Swift implementation (tokenizer + BERT encoder + mean pooling + L2
normalisation) is checked against vectors produced here by an independent,
widely used implementation: sentence-transformers on top of Hugging Face
transformers and PyTorch, loading the same weights.

Usage:
    embedding_reference.py MODEL_DIR OUT_JSON

MODEL_DIR is a sentence-transformers model directory for all-MiniLM-L6-v2
(model.safetensors, config.json, vocab.txt, tokenizer.json, modules.json,
1_Pooling/config.json, ...). OUT_JSON receives:

    {"model": "all-MiniLM-L6-v2",
     "source": "sentence-transformers X, transformers Y, torch Z",
     "max_tokens": 128,
     "sentences": [{"text": str,
                    "tokens": [int, ...],   # ids incl. [CLS] ... [SEP]
                    "vector": [float x 384]}]}  # L2-normalised, 7 decimals

Requirements: torch, sentence-transformers (CPU is enough, no network).
"""

import json
import os
import sys

# Everything is loaded from MODEL_DIR; never contact the Hugging Face Hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import sentence_transformers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

MAX_TOKENS = 128  # sequence limit the Swift side uses, [CLS] and [SEP] included
DECIMALS = 7

# About 240 tokens, well over MAX_TOKENS, so it checks truncation. The cut
# falls inside "embedding" (em | ##bed ##ding): truncation is per WordPiece
# token, not per word.
LONG_TEXT = (
    "NeuroLink routes every request through a gateway that picks a provider, "
    "applies rate limits, records usage, and retries on transient failures. "
    "When a user asks a question, the gateway first embeds the prompt, looks "
    "for semantically similar cached answers, and only then forwards the call "
    "to the selected large language model. Embeddings are also used to group "
    "related conversations, to detect duplicated support tickets, to rank "
    "retrieved documents before they are inserted into the context window, "
    "and to estimate whether two prompts are close enough to share a cached "
    "completion. Because it runs on servers and laptops, the embedding "
    "model has to be small, deterministic, and fast on an ordinary "
    "CPU without any accelerator. The reference vectors in this file were "
    "computed with a well known Python implementation so that the native "
    "Swift port can be compared against them sentence by sentence, and any "
    "difference in tokenization, attention masking, pooling, or normalisation "
    "shows up as a drop in cosine similarity. This sentence keeps going on "
    "purpose, well past the limit of one hundred and twenty eight tokens, so "
    "that everything after the cut-off point must be ignored by both sides."
)

# Each entry exercises something specific in the tokenizer or the model.
# Invisible characters are written as escapes so they stay reviewable.
SENTENCES = [
    # Plain English
    "What is the capital of France?",
    "How do I reset my password if I no longer have access to my email?",
    "Which embedding model should I use for semantic search?",
    "The quick brown fox jumps over the lazy dog.",
    # Mixed case (the model is uncased: everything is lower-cased)
    "ThIs SeNtEnCe HaS mIxEd CaSe, plus acronyms like NASA and iPhone.",
    # Punctuation-heavy: every ASCII punctuation mark becomes its own token
    "Wait... what?! No -- really??? (yes); [maybe] {never} <ok> @user #tag "
    "50% ^caret& *star* _under_ +plus= |pipe| \\back/slash ~tilde~ `tick`",
    # Numbers and units
    "The package weighs 3.5 kg and costs $1,299.99 (about 1.2e3 EUR).",
    "The release is scheduled for 2026-12-02 at 14:30:00 UTC, version v2.13.0.",
    # Non-ASCII symbols (°, €, ×, ±) are not punctuation, so they stay glued
    "It reached 40°C; the price was €5 or £4.20, and 5×3=15 ± 0.1.",
    # Accents are stripped (NFD + drop combining marks) before lookup
    "I ordered a café au lait at a naïve little bistro in Zürich.",
    "One Ångström is 0.1 nm; ÉCOLE, crème brûlée and jalapeño.",
    # Decomposed form (e + U+0301) must give the same ids as "Café"
    "Cafe\u0301 written with a combining acute accent.",
    # Letters that have no canonical decomposition keep their form
    "Ørsted, Ærø, Straße and the ﬁ ligature in ﬁnancial.",
    # CJK: every Han character becomes its own token
    "我喜欢机器学习和自然语言处理。",
    "東京は日本の首都です。ひらがなとカタカナも使います。",
    "GPT-4は強力なAIモデルです",
    # Hangul syllables are decomposed into jamo by NFD
    "한국어 문장도 테스트합니다.",
    # Other scripts: Cyrillic й loses its breve, Greek, Arabic harakat,
    # Devanagari signs (some are combining marks and get dropped)
    "Привет, мир! Мой Йошкар-Ола. ΟΔΟΣ Ελληνικά.",
    "مَرْحَبًا بِالْعَالَم",
    "नमस्ते दुनिया",
    # Emoji: not in the vocabulary, each emoji "word" is [UNK]
    "I love pizza 🍕 and coffee ☕️! 😀👍🏽",
    # Emoji joined with ZERO WIDTH JOINERs (removed as format characters)
    "Family: 👨\u200d👩\u200d👧 together.",
    # Words that split into several WordPiece pieces
    "Pneumonoultramicroscopicsilicovolcanoconiosis and "
    "antidisestablishmentarianism are long words.",
    "Hyperparameterization of transformerization pipelines is overcomplicated.",
    # Unknown characters (not in the vocabulary)
    "The snowman ☃ and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 letters are unknown.",
    # A single "word" longer than 100 characters becomes one [UNK]
    "A " + "supercalifragilistic" * 6 + " word.",
    # Tabs, runs of spaces, newlines, CRLF
    "tabs\there\t\tand  multiple   spaces\nand\nnewlines\r\nand CRLF.",
    # Unicode spaces: no-break, em space, ideographic space, line separator
    "no\u00a0break em\u2003space ideographic\u3000space line\u2028separator",
    # Very short and (almost) empty inputs
    "hi",
    " .",
    "",
    "   \t\n  ",
    # Control characters and invisible format characters are deleted
    # (BEL, NUL, ZERO WIDTH SPACE, SOFT HYPHEN, private use U+E000)
    "bell\u0007char null\u0000char zero\u200bwidth soft\u00adhyphen priv\ue000ate",
    # Apostrophes and quotes, ASCII and typographic
    "Don't stop – it's John's \"best\" idea, isn't it? ‘Curly’ “quotes” «guillemets»",
    # URL and e-mail
    "See https://example.com/path/to-page?query=1&lang=en#section for details.",
    "Contact support@neurolink.dev or @neurolink on social media.",
    # Code-like text
    "func main() { print(42) }",
    'let x: [String: Int] = ["a": 1]; x["b"] = nil // Swift',
    # Special-token strings inside user text
    "Literal [CLS] and [SEP] and [MASK] in user text.",
    # Full-width forms are not NFKC-normalised
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３",
    # Turkish dotted/dotless i
    "İstanbul'da ılık bir gün.",
    # Longer than MAX_TOKENS: truncated to 128 ids including [CLS]/[SEP]
    LONG_TEXT,
]


def to_json(fixture: dict) -> str:
    """Serialise with one sentence per line, so diffs stay readable.

    ensure_ascii keeps control characters and invisible code points
    unambiguous (\\u0007, \\u200b) in the committed file.
    """
    header = {k: v for k, v in fixture.items() if k != "sentences"}
    head = json.dumps(header, ensure_ascii=True)[:-1]  # drop the closing brace
    rows = ",\n".join(json.dumps(e, ensure_ascii=True) for e in fixture["sentences"])
    return f'{head}, "sentences": [\n{rows}\n]}}\n'


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} MODEL_DIR OUT_JSON")
    model_dir, out_path = sys.argv[1], sys.argv[2]

    torch.manual_seed(0)  # inference is deterministic; this is just belt and braces
    # modules.json configures: Transformer -> Pooling (mean) -> Normalize.
    model = SentenceTransformer(model_dir, device="cpu")
    model.max_seq_length = MAX_TOKENS

    entries = []
    for text in SENTENCES:
        # Exactly the features encode() builds internally for this input.
        features = model.preprocess([text])
        length = int(features["attention_mask"][0].sum())
        tokens = features["input_ids"][0][:length].tolist()
        # One sentence per call: no padding, as the Swift side will run it.
        vector = model.encode([text], batch_size=1, normalize_embeddings=True,
                              convert_to_numpy=True)[0]
        assert vector.shape == (384,), vector.shape
        entries.append({
            "text": text,
            "tokens": tokens,
            "vector": [round(float(v), DECIMALS) for v in vector],
        })

    fixture = {
        "model": "all-MiniLM-L6-v2",
        "source": (f"sentence-transformers {sentence_transformers.__version__}, "
                   f"transformers {transformers.__version__}, "
                   f"torch {torch.__version__}"),
        "max_tokens": MAX_TOKENS,
        "sentences": entries,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(to_json(fixture))
    print(f"wrote {len(entries)} sentences to {out_path}")


if __name__ == "__main__":
    main()
