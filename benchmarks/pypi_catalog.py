"""Turn the PyPI package list into an AI/ML catalog in the import format (import-format.md).

The input is the tab-separated package list (header `name, version, month,
rank_among_15000_most_downloaded, summary`, one row per package). The output is JSON Lines,
one artifact per selected package, sorted by name, that `manage.py import_artifacts` loads.
Nothing here needs Django or a database.

    .venv/bin/python benchmarks/pypi_catalog.py [--tsv PATH] [--out PATH] [--limit N]

Selection rule (mechanical, no judgement per package)
-----------------------------------------------------
A package is selected when the text `NAME \\n SUMMARY` matches at least one pattern of
`TOPIC_PATTERNS` below, case-insensitively. In NAME, runs of `-`, `_` and `.` count as spaces,
so `sentence_transformers` and `pytorch-lightning` match as words. Every pattern is a list of
alternatives bounded by "not an ASCII letter or digit" on both sides (not `\\b`, which would
treat CJK characters as word characters and miss `基于LLM的`). The topics:

- machine_learning: machine learning, MLOps, AutoML, TinyML, "ML model/pipeline/framework/…"
- deep_learning: deep learning, reinforcement learning, neural (network, net, …), federated or
  self-supervised learning
- llm: LLM(s), (large) language model(s), foundation model(s), VLM, SLM, GPT…, ChatGPT
- transformer: transformer(s), BERT, RoBERTa, attention mechanism
- nlp: NLP, natural language processing/understanding/generation, NLU, named entity, sentiment
  analysis, text classification, topic modelling, machine translation, part of speech
- embedding: embedding(s), word2vec, sentence embeddings / similarity
- vector_search: vector database/store/search/index/similarity, semantic search, similarity
  search, nearest neighbour search
- speech: speech, TTS, ASR, STT, text-to-speech, speech-to-text, voice cloning/synthesis/
  recognition/conversion, speaker diarization/recognition/verification, Whisper, audio or
  speech transcription
- ocr: OCR, optical character recognition, handwriting recognition, document AI/understanding
- vision: computer vision, object detection, image segmentation/classification/recognition/
  captioning/generation/super-resolution, semantic/instance segmentation, YOLO, face
  recognition/detection, pose estimation, visual question answering, vision-language
- generative: diffusion model(s), stable diffusion, diffusers, latent diffusion, generative,
  GAN(s), text-to-image, text generation, fine-tuning, LoRA adapters
- frameworks: PyTorch, torch, TensorFlow, Keras, JAX, Flax, ONNX, scikit-learn, sklearn,
  XGBoost, LightGBM, CatBoost, MXNet, PaddlePaddle, Caffe, Theano, TFLite, TensorRT, OpenVINO,
  MLX
- llm_tools: LangChain, LangGraph, LlamaIndex, llama.cpp, Ollama, vLLM, OpenAI, Hugging Face,
  Anthropic, CrewAI, AutoGen, DSPy
- rag: RAG, retrieval-augmented
- chatbot: chatbot(s), chat bot, conversational AI
- agent: agentic, multi-agent, autonomous agent(s), agent framework
- prompt: prompt engineering/injection/template(s)/optimization/management, system prompt
- ml_tasks: graph neural, GNN, CNN, RNN, LSTM, convolutional, recommender system(s),
  hyperparameter, anomaly detection, time series forecasting, experiment tracking, model
  serving, feature store, data labelling, multimodal, inference server/engine/serving

Left out on purpose, because alone they select far more than AI/ML: the bare words "AI" (on
2026 PyPI about 38k packages, mostly apps that call some AI service), "MCP" / Model Context
Protocol (about 26k servers that expose an API to an assistant), "agent(s)" without one of the
phrases above (user agents, monitoring agents), bare "ML" (ML-KEM, the ML language), "model",
"inference", "prompt", "Claude", "Gemini", "llama" (these mostly name a product a tool plugs
into). A package that also says LLM, embeddings, RAG, … is still selected by that word.

Records skipped up front, each counted with its reason (the text is never rewritten):
empty or whitespace-only summary; summary over 600 characters or name over 200 (after the
importer's trimming); a NUL character or an unpaired surrogate (bytes that are not UTF-8) in the
name or summary; a name that yields an empty slug; a slug already taken by an earlier name in
sort order (the earlier name keeps it).

Field mapping (one record per package)
--------------------------------------
- `slug`: the name lower-cased, every run of characters outside `[a-z0-9]` turned into `-`,
  `-` stripped from both ends, cut to 120 characters (and stripped again)
- `name`: the PyPI name exactly as given
- `kind`: "repository" for every package (PyPI packages are code libraries)
- `summary`: the author's summary exactly as given (mojibake, CJK and cut-off text included)
- `homepage`: `https://pypi.org/project/<name>/`
- `updated`: `<month>-01` when month is a valid `YYYY-MM`, otherwise absent
- `pypi_version`: the version string as given (unknown field, kept in `extra` by the importer)
- `pypi_download_rank`: the integer rank among the 15,000 most downloaded packages, or null
  when the package is not among them (also kept in `extra`)
- no capabilities, categories, pricing, signals or links: the list does not say them
"""

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TSV = "/work/.library/env/packages/pypi.tsv"
DEFAULT_OUT = ".data/pypi_ai.jsonl"
HEADER = ("name", "version", "month", "rank_among_15000_most_downloaded", "summary")

MAX_NAME = 200
MAX_SUMMARY = 600
MAX_SLUG = 120

MONTH_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
NAME_SEPARATORS_RE = re.compile(r"[-_.]+")
SLUG_RUNS_RE = re.compile(r"[^a-z0-9]+")


def _words(*alternatives: str) -> str:
    """The alternatives as one pattern, bounded by anything but an ASCII letter or digit."""
    return r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])"


# (topic, pattern). Order only decides which topic is reported first for a package.
TOPIC_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "machine_learning",
        _words(
            r"machine[ -]?learning",
            r"ml ?ops",
            r"automl",
            r"tinyml",
            r"ml (?:models?|pipelines?|frameworks?|library|libraries|toolkit|training"
            r"|experiments?|engineering|platforms?|workflows?|inference|serving|systems?"
            r"|applications?|algorithms?|projects?)",
        ),
    ),
    (
        "deep_learning",
        _words(
            r"deep[ -]learning",
            r"reinforcement[ -]learning",
            r"neural",
            r"federated learning",
            r"self-supervised",
        ),
    ),
    (
        "llm",
        _words(
            r"llms?",
            r"(?:large |small )?language models?",
            r"foundation models?",
            r"vlms?",
            r"slms?",
            r"gpt[a-z0-9]*",
            r"chatgpt",
        ),
    ),
    ("transformer", _words(r"transformers?", r"bert", r"roberta", r"attention mechanisms?")),
    (
        "nlp",
        _words(
            r"nlp",
            r"natural language (?:processing|understanding|generation)",
            r"nlu",
            r"named[ -]entit(?:y|ies)",
            r"sentiment analysis",
            r"text classification",
            r"topic model(?:l)?ing",
            r"machine translation",
            r"part[ -]of[ -]speech",
        ),
    ),
    (
        "embedding",
        _words(r"embeddings?", r"word2vec", r"sentence (?:embeddings?|similarity)"),
    ),
    (
        "vector_search",
        _words(
            r"vector ?(?:dbs?|databases?|stores?|search|index|indexes|indices|similarity)",
            r"semantic search",
            r"similarity search",
            r"nearest[ -]neighbou?rs? search",
        ),
    ),
    (
        "speech",
        _words(
            r"speech",
            r"tts",
            r"asr",
            r"stt",
            r"text[ -]to[ -]speech",
            r"speech[ -]to[ -]text",
            r"voice (?:cloning|clone|synthesis|recognition|conversion)",
            r"speaker (?:diarization|recognition|verification)",
            r"diarization",
            r"whisper",
            r"(?:audio|speech|voice) transcription",
        ),
    ),
    (
        "ocr",
        _words(
            r"ocr",
            r"optical character recognition",
            r"handwriting recognition",
            r"document (?:ai|understanding)",
        ),
    ),
    (
        "vision",
        _words(
            r"computer vision",
            r"object detection",
            r"image (?:segmentation|classification|recognition|captioning|generation"
            r"|super[ -]resolution)",
            r"(?:semantic|instance|panoptic) segmentation",
            r"yolo(?:v?[0-9]+)?",
            r"face (?:recognition|detection)",
            r"pose estimation",
            r"visual question answering",
            r"vision[ -]language",
        ),
    ),
    (
        "generative",
        _words(
            r"diffusion models?",
            r"stable[ -]diffusion",
            r"diffusers",
            r"latent diffusion",
            r"generative",
            r"gans?",
            r"text[ -]to[ -]image",
            r"text generation",
            r"fine[ -]?tun(?:e|es|ed|ing)",
            r"lora adapters?",
        ),
    ),
    (
        "frameworks",
        _words(
            r"(?:py)?torch",
            r"tensorflow",
            r"keras",
            r"jax",
            r"flax",
            r"onnx",
            r"scikit[ -]learn",
            r"sklearn",
            r"xgboost",
            r"lightgbm",
            r"catboost",
            r"mxnet",
            r"paddle(?:paddle)?",
            r"caffe",
            r"theano",
            r"tflite",
            r"tensorrt",
            r"openvino",
            r"mlx",
        ),
    ),
    (
        "llm_tools",
        _words(
            r"langchain",
            r"langgraph",
            r"llama[ -]?index",
            r"llama\.?cpp",
            r"ollama",
            r"vllm",
            r"openai",
            r"hugging ?face",
            r"anthropic",
            r"crewai",
            r"autogen",
            r"dspy",
        ),
    ),
    ("rag", _words(r"rag", r"retrieval[ -]augmented")),
    ("chatbot", _words(r"chat ?bots?", r"conversational ai")),
    (
        "agent",
        _words(r"agentic", r"multi[ -]agents?", r"autonomous agents?", r"agents? frameworks?"),
    ),
    (
        "prompt",
        _words(
            r"prompt (?:engineering|injections?|templates?|optimi[sz]ation|management)",
            r"system prompts?",
        ),
    ),
    (
        "ml_tasks",
        _words(
            r"graph neural",
            r"gnns?",
            r"cnns?",
            r"rnns?",
            r"lstms?",
            r"convolutional",
            r"recommender systems?",
            r"recommendation systems?",
            r"hyper-?parameters?",
            r"anomaly detection",
            r"time[ -]series forecasting",
            r"experiment tracking",
            r"model serving",
            r"feature stores?",
            r"data label(?:l)?ing",
            r"multi-?modal",
            r"inference (?:server|engine|serving)",
        ),
    ),
)
TOPICS = tuple((topic, re.compile(pattern, re.IGNORECASE)) for topic, pattern in TOPIC_PATTERNS)


@dataclass(frozen=True)
class PypiPackage:
    """One row of the package list, its text exactly as read."""

    name: str
    version: str
    month: str
    rank: int | None
    summary: str


@dataclass
class Selection:
    """The selected packages as import records, and what was counted on the way."""

    records: list[dict] = field(default_factory=list)
    rows_read: int = 0
    matched: int = 0
    topics: Counter = field(default_factory=Counter)  # first matching topic per match
    record_topics: list[tuple[str, ...]] = field(default_factory=list)  # per record, in order
    skipped: Counter = field(default_factory=Counter)  # reason -> count


def read_packages(tsv_path: str | os.PathLike) -> Iterator[PypiPackage]:
    """Every row of the list. Undecodable bytes become lone surrogates, which the validity
    check then skips (the text is read, never repaired)."""
    with open(tsv_path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
        if tuple(header) != HEADER:
            raise ValueError(f"{tsv_path}: unexpected header {header!r}")
        for number, line in enumerate(handle, start=2):
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) != len(HEADER):
                raise ValueError(f"{tsv_path}:{number}: expected 5 fields, got {len(parts)}")
            name, version, month, rank, summary = parts
            yield PypiPackage(
                name=name,
                version=version,
                month=month,
                rank=int(rank) if rank.strip().isdigit() else None,
                summary=summary,
            )


def match_text(name: str, summary: str) -> str:
    """What the topic patterns search: the name with separators as spaces, then the summary."""
    return f"{NAME_SEPARATORS_RE.sub(' ', name)}\n{summary}"


def matching_topics(name: str, summary: str) -> list[str]:
    """The topics whose pattern matches the package; empty when it is not AI/ML."""
    text = match_text(name, summary)
    return [topic for topic, pattern in TOPICS if pattern.search(text)]


def is_ai_ml(name: str, summary: str) -> bool:
    text = match_text(name, summary)
    return any(pattern.search(text) for _, pattern in TOPICS)


def slug_for(name: str) -> str:
    """Lower-case; each run outside [a-z0-9] becomes '-'; trimmed of '-'; at most 120."""
    slug = SLUG_RUNS_RE.sub("-", name.lower()).strip("-")
    return slug[:MAX_SLUG].strip("-")


def skip_reason(package: PypiPackage) -> str | None:
    """Why the importer would reject this package's record, or None when it would not."""
    if UNSTORABLE_RE.search(package.name) or UNSTORABLE_RE.search(package.summary):
        return "NUL or undecodable bytes in name or summary"
    if not package.summary.strip():
        return "empty summary"
    if len(package.summary.strip()) > MAX_SUMMARY:
        return f"summary over {MAX_SUMMARY} characters"
    if not package.name.strip():
        return "empty name"
    if len(package.name.strip()) > MAX_NAME:
        return f"name over {MAX_NAME} characters"
    if not slug_for(package.name):
        return "name gives an empty slug"
    return None


def catalog_record(package: PypiPackage, slug: str) -> dict:
    """The import record of one package (see the field mapping above)."""
    record: dict = {
        "slug": slug,
        "name": package.name,
        "kind": "repository",
        "summary": package.summary,
        "homepage": f"https://pypi.org/project/{package.name}/",
    }
    if MONTH_RE.fullmatch(package.month):
        record["updated"] = f"{package.month}-01"
    record["pypi_version"] = package.version
    record["pypi_download_rank"] = package.rank
    return record


def select_packages(
    tsv_path: str | os.PathLike = DEFAULT_TSV, *, everything: bool = False
) -> Selection:
    """The AI/ML packages of the list as import records, sorted by name, invalid ones
    skipped and counted. Slug collisions keep the first name in sort order. `everything`:
    every package of the list, AI/ML or not (the benchmarks' full-size catalog)."""
    selection = Selection()
    matched: list[tuple[PypiPackage, list[str]]] = []
    for package in read_packages(tsv_path):
        selection.rows_read += 1
        topics = matching_topics(package.name, package.summary)
        if topics:
            selection.matched += 1
        if topics or everything:
            matched.append((package, topics))
    matched.sort(key=lambda item: (item[0].name, item[0].version))
    taken: set[str] = set()
    for package, topics in matched:
        reason = skip_reason(package)
        slug = slug_for(package.name) if reason is None else ""
        if reason is None and slug in taken:
            reason = "slug already used by an earlier name"
        if reason is not None:
            selection.skipped[reason] += 1
            continue
        taken.add(slug)
        if topics:
            selection.topics[topics[0]] += 1
        selection.records.append(catalog_record(package, slug))
        selection.record_topics.append(tuple(topics))
    return selection


def write_catalog(
    records: list[dict], out_path: str | os.PathLike, *, limit: int | None = None
) -> int:
    """Write the records (the first `limit` of them, when given) as JSON Lines; returns how
    many were written."""
    chosen = records if limit is None else records[:limit]
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in chosen:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(", ", ": ")))
            handle.write("\n")
    return len(chosen)


def load_catalog(path: str | os.PathLike = DEFAULT_OUT) -> list[dict]:
    """Read a catalog written by `write_catalog` back (for the judging and benchmark tools)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--tsv",
        default=os.environ.get("PYPI_TSV", DEFAULT_TSV),
        help="the package list (default: $PYPI_TSV or %(default)s)",
    )
    parser.add_argument("--out", default=DEFAULT_OUT, help="output JSON Lines file")
    parser.add_argument("--limit", type=int, default=None, help="write only the first N")
    args = parser.parse_args(argv)

    selection = select_packages(args.tsv)
    written = write_catalog(selection.records, args.out, limit=args.limit)
    print(f"rows read:        {selection.rows_read}")
    print(f"matched AI/ML:    {selection.matched}")
    for reason, count in sorted(selection.skipped.items()):
        print(f"skipped:          {count:6d}  {reason}")
    print(f"valid records:    {len(selection.records)}")
    print(f"written:          {written} -> {args.out}")
    print("first matching topic of the valid records:")
    for topic, count in selection.topics.most_common():
        print(f"  {topic:18s} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
