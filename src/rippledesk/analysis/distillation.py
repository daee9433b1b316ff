"""Distillation of the sentiment teacher into the shipped linear model.

No large unlabelled in-domain corpus is available to the project (the Twitter customer-support
corpus is not among the shared data sets), so the transfer set is made from the training texts
themselves, in the spirit of Tang et al. (2019, "Distilling task-specific knowledge from BERT
into simple neural networks"): every training tweet yields a few perturbed copies (words
dropped, a contiguous span, an adjacent pair swapped, or its head joined to another tweet's
tail). The fine-tuned encoder (``teacher.py``) labels them; the linear model then learns from
the gold rows plus these teacher-labelled rows. The perturbations are deterministic, so only
the teacher's logits need to ship (``sentiment-teacher.npz``, float16) with a digest of the texts
they belong to: ``rippledesk model train`` regenerates the texts with numpy, checks the digest,
and needs no torch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rippledesk.analysis.linear import normalise

TRANSFER_SEED = 20261125
PER_TEXT = 8
LABELS_FILE = "sentiment-teacher.npz"
LABELS_FORMAT = "rippledesk-teacher-labels/1"

FloatArray = npt.NDArray[np.float64]


def transfer_texts(
    texts: Sequence[str], per_text: int = PER_TEXT, seed: int = TRANSFER_SEED
) -> tuple[list[str], list[int]]:
    """Perturbed copies of ``texts`` (normalised, deduplicated, none equal to a source text)
    and, for each, the index of the text it came from."""
    rng = np.random.default_rng(seed)
    tokenised = [normalise(t).split() for t in texts]
    seen = {" ".join(tokens) for tokens in tokenised}
    out: list[str] = []
    sources: list[int] = []
    for i, tokens in enumerate(tokenised):
        for k in range(per_text):
            new = _perturbed(rng, tokens, k % 4, tokenised)
            text = " ".join(new)
            if text and text not in seen:
                seen.add(text)
                out.append(text)
                sources.append(i)
    return out, sources


def _perturbed(
    rng: np.random.Generator, tokens: list[str], kind: int, corpus: Sequence[list[str]]
) -> list[str]:
    n = len(tokens)
    if kind == 0 or n < 4:  # each word dropped with probability 0.2
        keep = rng.random(n) > 0.2
        return [t for t, kept in zip(tokens, keep, strict=True) if kept] or tokens[:1]
    if kind == 1:  # a contiguous span of 50-90 % of the words
        length = max(2, int(n * rng.uniform(0.5, 0.9)))
        start = int(rng.integers(0, n - length + 1))
        return tokens[start : start + length]
    if kind == 2:  # light dropout, then one adjacent pair swapped
        keep = rng.random(n) > 0.1
        new = [t for t, kept in zip(tokens, keep, strict=True) if kept] or tokens[:1]
        if len(new) > 2:
            j = int(rng.integers(0, len(new) - 1))
            new[j], new[j + 1] = new[j + 1], new[j]
        return new
    other = corpus[int(rng.integers(0, len(corpus)))]  # this head + another tweet's tail
    cut_a = int(rng.integers(max(1, n // 3), n))
    cut_b = int(rng.integers(0, max(1, len(other) - 1)))
    return tokens[:cut_a] + other[cut_b:]


def texts_digest(texts: Sequence[str]) -> str:
    """SHA-256 over the texts in order (each UTF-8, newline-terminated)."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class TeacherLabels:
    """The teacher's logits for named groups of texts (e.g. ``transfer``, ``emotion``)."""

    logits: dict[str, FloatArray]
    digests: dict[str, str]
    info: dict[str, Any]

    def for_texts(self, group: str, texts: Sequence[str]) -> FloatArray:
        """The logits of ``group``, refused unless they were computed for exactly ``texts``."""
        if group not in self.logits:
            raise ValueError(f"teacher labels have no group {group!r}")
        if texts_digest(texts) != self.digests[group]:
            raise ValueError(
                f"teacher labels for {group!r} were made for other texts (the training data or "
                "the transfer recipe changed): rebuild them with "
                "`rippledesk model train --task sentiment-teacher`"
            )
        return self.logits[group]


def save_labels(
    path: Path, groups: dict[str, tuple[Sequence[str], FloatArray]], info: dict[str, Any]
) -> None:
    """Write logits as float16 with a digest of each group's texts (no texts, no pickles)."""
    meta = {
        "format": LABELS_FORMAT,
        "info": info,
        "digests": {name: texts_digest(texts) for name, (texts, _) in groups.items()},
    }
    arrays: dict[str, Any] = {
        f"logits_{name}": logits.astype(np.float16) for name, (_, logits) in groups.items()
    }
    data = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with path.open("wb") as handle:
        np.savez_compressed(handle, meta=np.frombuffer(data, dtype=np.uint8), **arrays)


def load_labels(path: Path) -> TeacherLabels:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: not a teacher-labels file ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != LABELS_FORMAT:
        raise ValueError(f"{path}: format is not {LABELS_FORMAT!r}")
    logits = {name: arrays[f"logits_{name}"].astype(np.float64) for name in meta["digests"]}
    return TeacherLabels(logits=logits, digests=dict(meta["digests"]), info=dict(meta["info"]))


def softmax(logits: FloatArray) -> FloatArray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: FloatArray = z / z.sum(axis=1, keepdims=True)
    return result


# Teacher rows for the student ------------------------------------------------------------------

# Each transfer text joins the training with the teacher's top label at this weight (gold rows
# weigh annotator confidence², at most 1). Hard labels at weight 2 (with C=4) did best on the
# selection fold (docs/models.md); soft labels cost three rows per text and did worse.
TRANSFER_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class TransferRows:
    texts: list[str]
    labels: list[str]
    weights: list[float]
    sources: list[int]


def transfer_rows(
    training_texts: Sequence[str],
    labels: TeacherLabels,
    classes: Sequence[str],
    weight: float = TRANSFER_WEIGHT,
) -> TransferRows:
    """The transfer set of ``training_texts`` with the teacher's top labels; ``sources`` index
    ``training_texts`` so a calibration fold can leave out the copies of its held-out texts."""
    texts, sources = transfer_texts(training_texts)
    logits = labels.for_texts("transfer", texts)
    teacher_classes = labels.info.get("classes", list(classes))
    if list(teacher_classes) != list(classes):
        raise ValueError(f"teacher labels are for classes {teacher_classes}, not {list(classes)}")
    top = logits.argmax(axis=1)
    return TransferRows(
        texts=texts,
        labels=[classes[int(i)] for i in top],
        weights=[weight] * len(texts),
        sources=sources,
    )
