"""The sentiment encoder: a fine-tuned MiniLM run through ONNX Runtime in int8, no torch.

The linear sentiment model is fast but stops at about 0.80 macro-F1 on airline tweets; the
encoder is about 20 times slower and better on the texts the linear model is unsure of. The
cascade (``cascade.py``) sends it only those. Both files ship in ``trained/``:
``sentiment-encoder.onnx`` (6 layers, 8-bit weights) and its WordPiece vocabulary
``sentiment-encoder-vocab.txt``; ``encoder_training.py`` writes them.

Texts are normalised exactly as for the linear models (``linear.normalise``), cut to 64
WordPiece tokens, sorted by length and run in small batches so padding stays short.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rippledesk.analysis.linear import normalise
from rippledesk.analysis.wordpiece import WordPiece

MODEL_FILE = "sentiment-encoder.onnx"
VOCAB_FILE = "sentiment-encoder-vocab.txt"
MAX_TOKENS = 64
BATCH = 32
THREADS_ENV = "RIPPLEDESK_ANALYSIS_THREADS"

FloatArray = npt.NDArray[np.float64]


class EncoderUnavailable(RuntimeError):
    """onnxruntime is missing, or the model files are not there."""


def analysis_threads() -> int:
    """Threads one encoder call may use: ``$RIPPLEDESK_ANALYSIS_THREADS``, else up to 2."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            raise EncoderUnavailable(f"{THREADS_ENV} must be a whole number, not {raw!r}") from None
    return max(1, min(2, os.cpu_count() or 1))


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise EncoderUnavailable(
            f"the sentiment encoder needs the {name} package: pip install -e ."
        ) from None


class SentimentEncoder:
    """Raw texts in, one row of three logits (negative, neutral, positive) out."""

    def __init__(self, model: Path, vocabulary: Path, threads: int | None = None) -> None:
        for path in (model, vocabulary):
            if not path.is_file():
                raise EncoderUnavailable(f"no sentiment encoder file {path}")
        ort = _module("onnxruntime")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or analysis_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        names = [i.name for i in self._session.get_inputs()]
        if names != ["input_ids", "attention_mask"]:
            raise EncoderUnavailable(f"{model} takes inputs {names}, not input_ids, attention_mask")
        self._tokenizer = WordPiece.from_file(vocabulary, MAX_TOKENS)
        # One session is shared; ONNX Runtime allows concurrent runs, but two 2-thread runs at
        # once on a 2-core machine only slow each other down.
        self._lock = threading.Lock()

    @classmethod
    def from_dir(cls, directory: Path, threads: int | None = None) -> SentimentEncoder:
        return cls(directory / MODEL_FILE, directory / VOCAB_FILE, threads)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self._tokenizer.ids(normalise(text)) for text in texts]

    def logits(self, texts: Sequence[str], batch: int = BATCH) -> FloatArray:
        sequences = self.token_ids(texts)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        out = np.zeros((len(texts), 3))
        with self._lock:
            for start in range(0, len(order), batch):
                index = order[start : start + batch]
                ids, mask = padded([sequences[i] for i in index])
                (result,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
                out[index] = result
        return out


def padded(sequences: Sequence[Sequence[int]]) -> tuple[npt.NDArray[np.int64], ...]:
    """Token ids and attention mask, zero-padded to the longest sequence."""
    length = max(1, *(len(s) for s in sequences))
    ids = np.zeros((len(sequences), length), dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return ids, mask
