"""The sentiment encoder: a fine-tuned MiniLM run through ONNX Runtime in int8, no torch.

The linear sentiment model is fast but stops at about 0.80 macro-F1 on airline tweets; the
encoder is about 30 times slower and better on the texts the linear model is unsure of. The
cascade (``cascade.py``) sends it only those. Both files ship in ``trained/``:
``sentiment-encoder.onnx`` (6 layers, dynamic int8) and its WordPiece vocabulary
``sentiment-encoder-vocab.txt``; ``encoder_training.py`` writes them.

Texts are normalised exactly as for the linear models (``linear.normalise``) and cut to 64
WordPiece tokens. Each text runs on its own: dynamic int8 scales a run's activations together,
so a text batched with others would score differently than alone. One single-threaded run per
text, two (``analysis_threads()``) at a time, measured 600 texts/s on 2 cores, where the 8-bit
block export it replaced ran 352 in batches of 32 on both cores (docs/models.md).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rippledesk.analysis.linear import normalise
from rippledesk.analysis.wordpiece import WordPiece

MODEL_FILE = "sentiment-encoder.onnx"
VOCAB_FILE = "sentiment-encoder-vocab.txt"
MAX_TOKENS = 64
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
        # Parallel over texts, not inside one: a tweet's matrices are too small to split well.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        names = [i.name for i in self._session.get_inputs()]
        if names != ["input_ids"]:
            raise EncoderUnavailable(
                f"{model} takes inputs {names}, not input_ids alone (an export older than this "
                "code: rebuild it with `rippledesk model train --task sentiment-encoder`)"
            )
        self._tokenizer = WordPiece.from_file(vocabulary, MAX_TOKENS)
        self._workers = threads or analysis_threads()
        self._pool: ThreadPoolExecutor | None = None
        # One session and pool are shared; ONNX Runtime allows concurrent runs, but two callers
        # each filling the cores would only slow each other down.
        self._lock = threading.Lock()

    @classmethod
    def from_dir(cls, directory: Path, threads: int | None = None) -> SentimentEncoder:
        return cls(directory / MODEL_FILE, directory / VOCAB_FILE, threads)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self._tokenizer.ids(normalise(text)) for text in texts]

    def logits(self, texts: Sequence[str]) -> FloatArray:
        sequences = self.token_ids(texts)
        out = np.zeros((len(texts), 3))
        if not sequences:
            return out
        with self._lock:
            if self._workers == 1 or len(sequences) == 1:
                out[:] = self._run(sequences)
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._workers, "rippledesk-encoder")
                parts = [sequences[k :: self._workers] for k in range(self._workers)]
                for k, result in enumerate(self._pool.map(self._run, parts)):
                    out[k :: self._workers] = result
        return out

    def _run(self, sequences: Sequence[list[int]]) -> FloatArray:
        """Logits of each sequence, one run each (the run releases the GIL)."""
        out = np.zeros((len(sequences), 3))
        for row, sequence in enumerate(sequences):
            ids = np.array([sequence], dtype=np.int64)  # [CLS] ... [SEP]: never empty
            # One unpadded text: the graph pools over every token, so it takes no mask.
            out[row] = self._session.run(None, {"input_ids": ids})[0][0]
        return out
