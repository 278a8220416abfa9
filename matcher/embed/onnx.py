"""ONNX backend: the same all-MiniLM-L6-v2 weights exported to ONNX and quantized to int8 for this CPU.

Query-time encoder only (the index is embedded in fp32 with the torch backend at build time, and the
same index serves both). The run-time path imports neither torch nor transformers: ``tokenizers``
reads the model's own ``tokenizer.json``, ``onnxruntime`` runs the graph, numpy pools. The graph
returns the token vectors (``last_hidden_state``), so late chunking works as in ``minilm.py``: one
pass per chunk gives the chunk vector (mean over its tokens) and a vector per sentence span.

Every chunk runs alone, on one ORT thread: dynamic int8 quantization scales activations by the
min/max of the whole input tensor, so batching would make a row's vector depend on its neighbours
(and on padding). Parallelism comes from running chunks concurrently (ORT releases the GIL).

The int8 model is committed, xz-compressed, in ``models/encoder/`` with MiniLM's ``tokenizer.json``
and a manifest of sha256s, because building it needs torch and the run-time install has none. It is
unpacked once to ``~/.cache/rolematch/onnx/`` (``$ROLEMATCH_CACHE``; ~1 s of CPU), and checked against its
sha256 on every load. Two flavours: full-range int8 weights (``avx512_vnni``, ``arm64``) and 7-bit
weights for ``avx2``, whose u8×s8 sums would otherwise saturate. ``pack_encoder`` (``rolematch build``,
needs torch) makes them; a folder from ``export_onnx`` (``ROLEMATCH_ONNX_DIR`` or ``models/onnx/<family>``)
takes precedence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import lzma
import os
import platform
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ..config import project_root
from ..errors import ModelUnavailableError
from .cache import TITLE_CACHE_SIZE, VectorCache
from .minilm import MODEL_NAME, _pool_spans, installed_version, model_path
from .tokens import Tokens

logger = logging.getLogger(__name__)

FAMILIES = ("avx512_vnni", "avx2", "arm64")
MODEL_FILE = "model.onnx"
MANIFEST = "manifest.json"
TOKENIZER = "tokenizer.json"
ENCODER_DIR = "encoder"  # models/encoder: the committed, compressed int8 models
MAX_TOKENS = 254  # MiniLM's window (256) less [CLS] and [SEP]


def cpu_family(cpuinfo: str | None = None, machine: str | None = None) -> str:
    """The int8 flavour for this CPU: ``arm64``, ``avx512_vnni`` (VNNI int8 dot products) or ``avx2``."""
    machine = (machine or platform.machine()).lower()
    if machine in ("arm64", "aarch64"):
        return "arm64"
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return "avx512_vnni" if {"avx512_vnni", "avx512vnni"} & flags else "avx2"


def onnx_dir(family: str | None = None) -> Path:
    """Where ``export_onnx`` puts the model for ``family``: ``models/onnx/<family>/`` (or ``ROLEMATCH_ONNX_DIR``)."""
    base = os.environ.get("ROLEMATCH_ONNX_DIR")
    root = Path(base) if base else project_root() / "models" / "onnx"
    return root / (family or cpu_family())


def encoder_dir() -> Path:
    """The committed int8 models: ``models/encoder/``."""
    return project_root() / "models" / ENCODER_DIR


def cache_dir() -> Path:
    """Where the int8 model is unpacked: ``$ROLEMATCH_CACHE`` or ``~/.cache/rolematch`` (XDG)."""
    base = os.environ.get("ROLEMATCH_CACHE")
    if base:
        return Path(base).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "rolematch"


def flavour(family: str) -> str:
    """The quantized file a CPU family runs: ``full_range`` (VNNI, arm64) or ``reduce_range`` (avx2)."""
    return "reduce_range" if quantize_settings(family)["reduce_range"] else "full_range"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def quantize_settings(family: str) -> dict:
    """``quantize_dynamic`` settings per family (as optimum's AutoQuantizationConfig): per-channel int8
    weights; without VNNI (avx2) weights use 7 bits so u8×s8 sums cannot saturate."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
    return {"per_channel": True, "reduce_range": family == "avx2"}


def export_onnx(target: Path | None = None, family: str | None = None) -> Path:
    """Export MiniLM from the bundled weights to ONNX (fp32), quantize it to int8 for ``family``, and
    write ``model.onnx`` with ``manifest.json`` (sha256, family, source model). Needs torch."""
    family = family or cpu_family()
    target = Path(target) if target else onnx_dir(family)
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError as exc:
        raise ModelUnavailableError(
            f"building the ONNX model needs torch, transformers and onnx ({exc.name} is missing): "
            "pip install 'rolematch[train]'"
        ) from exc

    class Hidden(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    target.mkdir(parents=True, exist_ok=True)
    fp32 = target / "model.fp32.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    model = Hidden(AutoModel.from_pretrained(str(model_path()))).eval()
    sample = tuple(torch.ones((1, 8), dtype=torch.long) for _ in names)
    logger.info("Embedding - exporting %s to ONNX and quantizing it for %s", MODEL_NAME, family)
    with torch.inference_mode():
        torch.onnx.export(
            model,
            sample,
            str(fp32),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(
        str(fp32), str(target / MODEL_FILE), weight_type=QuantType.QInt8, **quantize_settings(family)
    )
    fp32.unlink()
    shutil.copyfile(model_path() / TOKENIZER, target / TOKENIZER)
    manifest = {
        "model": MODEL_NAME,
        "source_version": installed_version(),
        "family": family,
        "quantization": {"weights": "int8", "activations": "uint8 dynamic", **quantize_settings(family)},
        "files": {MODEL_FILE: _sha256(target / MODEL_FILE), TOKENIZER: _sha256(target / TOKENIZER)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def pack_encoder(target: Path | None = None, preset: int = 6) -> Path:
    """Export both int8 flavours, xz-compress them into ``target`` (``models/encoder/``) with the
    tokenizer and a manifest of sha256s (compressed and unpacked). Needs torch; ~1-3 min."""
    target = Path(target) if target else encoder_dir()
    target.mkdir(parents=True, exist_ok=True)
    flavours = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, families in (("full_range", ["avx512_vnni", "arm64"]), ("reduce_range", ["avx2"])):
            folder = export_onnx(Path(tmp) / name, families[0])
            built = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            data = (folder / MODEL_FILE).read_bytes()
            packed = target / f"minilm-int8-{name.replace('_', '-')}.onnx.xz"
            logger.info("Embedding - compressing the %s int8 model (xz -%d)", name, preset)
            packed.write_bytes(lzma.compress(data, preset=preset))
            flavours[name] = {
                "file": packed.name,
                "sha256": _sha256(packed),
                "onnx_sha256": hashlib.sha256(data).hexdigest(),
                "onnx_bytes": len(data),
                "families": families,
                "quantization": built["quantization"],
            }
    shutil.copyfile(model_path() / TOKENIZER, target / TOKENIZER)
    manifest = {
        "model": MODEL_NAME,
        "source_version": installed_version(),
        "tokenizer": {"file": TOKENIZER, "sha256": _sha256(target / TOKENIZER)},
        "flavours": flavours,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def encoder_is_current(folder: Path | None = None) -> bool:
    """True if ``models/encoder/`` holds both flavours, made from the installed MiniLM."""
    folder = Path(folder) if folder else encoder_dir()
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        current = installed_version()
        files = [manifest["tokenizer"]] + list(manifest["flavours"].values())
    except (OSError, ValueError, KeyError):
        return False
    return manifest.get("source_version") == current and all(
        (folder / f["file"]).is_file() and _sha256(folder / f["file"]) == f["sha256"] for f in files
    )


def unpacked_model(family: str | None = None, folder: Path | None = None) -> tuple[Path, Path, str]:
    """``(model.onnx, tokenizer.json, source version)`` for this CPU from the committed encoder,
    unpacked to the cache on first use; every file is checked against its sha256."""
    family = family or cpu_family()
    folder = Path(folder) if folder else encoder_dir()
    fix = "run `rolematch build` (needs pip install 'rolematch[train]') or restore models/encoder/ from git"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        entry = manifest["flavours"][flavour(family)]
        tokenizer = folder / manifest["tokenizer"]["file"]
        tokenizer_sha = manifest["tokenizer"]["sha256"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelUnavailableError(f"no int8 encoder for {family} in {folder} ({exc}); {fix}") from exc
    if not tokenizer.is_file() or _sha256(tokenizer) != tokenizer_sha:
        raise ModelUnavailableError(f"{tokenizer} is missing or does not match its sha256; {fix}")
    target = cache_dir() / "onnx" / entry["onnx_sha256"][:16] / MODEL_FILE
    if target.is_file() and _sha256(target) == entry["onnx_sha256"]:
        return target, tokenizer, manifest["source_version"]
    packed = folder / entry["file"]
    if not packed.is_file() or _sha256(packed) != entry["sha256"]:
        raise ModelUnavailableError(f"{packed} is missing or does not match its sha256; {fix}")
    logger.info("Embedding - unpacking the int8 encoder (%s) once, to %s", flavour(family), target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out, lzma.open(packed) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        if _sha256(Path(tmp)) != entry["onnx_sha256"]:
            os.unlink(tmp)
            raise ModelUnavailableError(f"{packed} unpacks to a file that does not match its sha256; {fix}")
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot unpack the int8 encoder to {target.parent} ({exc}); set ROLEMATCH_CACHE to a writable folder"
        ) from exc
    return target, tokenizer, manifest["source_version"]


def window(ids: Sequence, offsets: Sequence, limit: int = MAX_TOKENS + 2) -> tuple[Sequence, Sequence]:
    """What the tokenizer truncated to ``limit`` gives for one text with special tokens: ``[CLS]``, the
    first ``limit - 2`` tokens, ``[SEP]`` (``tests/test_cold_start.py`` checks they are equal). Lists
    or arrays."""
    if len(ids) <= limit:
        return ids, offsets
    if isinstance(ids, np.ndarray):
        keep = np.r_[: limit - 1, -1]
        return ids[keep], offsets[keep]
    return ids[: limit - 1] + ids[-1:], offsets[: limit - 1] + offsets[-1:]


def _built_model(folder: Path) -> tuple[Path, Path, str]:
    """``(model.onnx, tokenizer.json, source version)`` of a folder written by ``export_onnx``."""
    model, manifest_path = folder / MODEL_FILE, folder / MANIFEST
    if not model.is_file() or not manifest_path.is_file():
        raise ModelUnavailableError(
            f"no ONNX model in {folder}; run `rolematch build --backend onnx` to export it (~6 s)"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = manifest.get("files", {})
    tokenizer = folder / TOKENIZER if TOKENIZER in files else model_path() / TOKENIZER  # older exports
    if any(_sha256(folder / name) != sha for name, sha in files.items()):
        raise ModelUnavailableError(
            f"{model} does not match its manifest; run `rolematch build --backend onnx` to rebuild it"
        )
    return model, tokenizer, manifest["source_version"]


def _packed_session(ort, family: str, options) -> tuple[Any, Path, Path, str]:
    """``(session, model path, tokenizer path, source version)`` from the committed encoder.

    ORT's graph optimizations take ~0.1 s per load, so the first load saves the optimized graph beside
    the unpacked model (for this machine, CPU family and ORT version, with its sha256) and later loads
    read it with optimizations off: the same kernels and outputs (checked equal), without re-hashing the
    unpacked model. A failure to save it only costs the optimization time."""
    providers = ["CPUExecutionProvider"]
    tag = f"{platform.machine()}-{family}-ort{ort.__version__}"
    try:
        manifest = json.loads((encoder_dir() / MANIFEST).read_text(encoding="utf-8"))
        sha = manifest["flavours"][flavour(family)]["onnx_sha256"]
        tokenizer = encoder_dir() / manifest["tokenizer"]["file"]
        optimized = cache_dir() / "onnx" / sha[:16] / f"model.optimized-{tag}.onnx"
        stamp = optimized.with_name(optimized.name + ".sha256")
        if (
            optimized.is_file()
            and stamp.read_text().strip() == _sha256(optimized)
            and _sha256(tokenizer) == manifest["tokenizer"]["sha256"]
        ):
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            session = ort.InferenceSession(str(optimized), options, providers=providers)
            return session, optimized, tokenizer, manifest["source_version"]
    except (OSError, ValueError, KeyError):
        pass  # unpacked_model below checks everything and says what is wrong
    model, tokenizer, version = unpacked_model(family)
    optimized = model.with_name(f"model.optimized-{tag}.onnx")
    part = optimized.with_name(f"{optimized.name}.{os.getpid()}.part")
    options.optimized_model_filepath = str(part)
    try:
        session = ort.InferenceSession(str(model), options, providers=providers)
    except Exception:  # noqa: BLE001  (could not write the optimized graph: load without keeping it)
        options.optimized_model_filepath = ""
        return ort.InferenceSession(str(model), options, providers=providers), model, tokenizer, version
    try:
        optimized.with_name(optimized.name + ".sha256").write_text(_sha256(part) + "\n")
        os.replace(part, optimized)
    except OSError:
        logger.debug("Embedding - could not keep the optimized graph in %s", optimized.parent)
    return session, model, tokenizer, version


class OnnxEmbedder:
    """MiniLM int8 on ONNX Runtime, with late-chunked sentence vectors; same name and version as the
    torch backend (same weights), so it reads the index built by ``rolematch build``."""

    name = MODEL_NAME
    dim = 384
    max_tokens = MAX_TOKENS
    per_text = True  # a text's vector never depends on the texts encoded with it (one run per text)

    def __init__(self, path: str | Path | None = None, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"the onnx backend needs {exc.name}: pip install onnxruntime"
            ) from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one thread per chunk: same kernels, same bits, any worker count
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no "optimized for this machine" notice
        built = Path(path) if path else onnx_dir()
        if path or os.environ.get("ROLEMATCH_ONNX_DIR") or (built / MODEL_FILE).is_file():
            self.path, tokenizer, self.version = _built_model(built)
            self.family = json.loads((built / MANIFEST).read_text(encoding="utf-8")).get("family")
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        else:
            self.family = cpu_family()
            self.session, self.path, tokenizer, self.version = _packed_session(ort, self.family, options)
        self.threads = threads or max(1, min(os.cpu_count() or 1, 8))
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        # one tokenizer, untruncated (for counting); ``window`` truncates for the model (parsed once: ~25 ms)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._plain = self._tokenizer
        template = self._tokenizer.encode("")  # what the tokenizer puts around a text: [CLS] ... [SEP]
        self._around = (np.asarray(template.ids[:1], np.int64), np.asarray(template.ids[1:], np.int64))
        self.title_cache = VectorCache(TITLE_CACHE_SIZE)  # job titles repeat across texts (see cache.py)
        logger.info("Embedding - loaded %s (onnx int8, %s) from %s", self.name, self.family, self.path)

    def count_tokens(self, text: str) -> int:
        return len(self._plain.encode(text, add_special_tokens=False).ids)

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._plain.encode_batch(list(texts), add_special_tokens=False)]

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        """Each text's token ids and character offsets, without special tokens, in one tokenizer call."""
        if not texts:
            return []
        return [
            Tokens(np.asarray(e.ids, np.int64), np.asarray(e.offsets, np.int64).reshape(-1, 2))
            for e in self._plain.encode_batch(list(texts), add_special_tokens=False)
        ]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, 384)`` float32, L2-normalised (texts over 256 tokens truncated)."""
        vectors, _ = self._run(self._encodings(texts), None)
        return vectors

    def encode_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Chunk vectors ``(n, 384)`` and, per chunk, span vectors ``(n_spans, 384)`` from the same pass."""
        return self._run(self._encodings(texts), [list(s) for s in spans])

    def encode_tokens(
        self, tokens: Sequence[Tokens], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """As ``encode_spans``, for texts already tokenized (``tokenize``, or tokens put together from
        it): the same ids and offsets as the tokenizer's, so the same vectors, without tokenizing again."""
        first, last = self._around
        zero = np.zeros((len(first), 2), np.int64), np.zeros((len(last), 2), np.int64)
        encodings = [
            (np.concatenate([first, t.ids, last]), np.concatenate([zero[0], t.offsets, zero[1]]))
            for t in tokens
        ]
        return self._run(encodings, [list(s) for s in spans])

    def _encodings(self, texts: Sequence[str]) -> list[tuple[list[int], list]]:
        """``(ids, offsets)`` of each text with special tokens, untruncated."""
        return [(e.ids, e.offsets) for e in self._tokenizer.encode_batch(list(texts))] if texts else []

    def _one(self, encoding, spans):
        token_ids, token_offsets = window(*encoding)
        ids = np.asarray([token_ids], dtype=np.int64)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.zeros_like(ids),
        }
        hidden = self.session.run(None, feeds)[0][0]
        vector = hidden.mean(axis=0)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        offsets = np.asarray(token_offsets, dtype=np.int64)
        return vector, None if spans is None else _pool_spans(hidden, offsets, spans)

    def _run(self, encodings, spans):
        """Run each ``(ids, offsets)`` (special tokens included) alone, in the pool."""
        n = len(encodings)
        chunk_out = np.zeros((n, self.dim), dtype=np.float32)
        span_out: list[np.ndarray] = [np.zeros((0, self.dim), np.float32)] * n
        if not n:
            return chunk_out, span_out
        jobs = [(encodings[i], None if spans is None else spans[i]) for i in range(n)]
        results = (
            self._pool.map(lambda j: self._one(*j), jobs)
            if self._pool
            else map(lambda j: self._one(*j), jobs)
        )
        for i, (vector, pooled) in enumerate(results):
            chunk_out[i] = vector
            if pooled is not None:
                span_out[i] = pooled
        return chunk_out, span_out
