"""``rippledesk model train|evaluate|train-topics``: the shipped text classifiers.

``train`` rebuilds ``analysis/trained/`` from the shared data sets (needs the ``train`` extra:
scikit-learn; ``--task sentiment-teacher`` rebuilds the distillation teacher's labels and needs
the ``teacher`` extra with torch as well); ``evaluate`` scores the shipped models on the
validation splits with numpy only; ``train-topics`` fits a workspace's own topic model from a
CSV of ``text,topic`` rows.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rippledesk.analysis import evaluation, teacher, training
from rippledesk.analysis.cascade import load_sentiment

TEACHER_TASK = "sentiment-teacher"
ENCODER_TASK = "sentiment-encoder"


class Command(BaseCommand):
    help = "Train and evaluate the sentiment, emotion and complaint-topic models."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train the shipped models (needs scikit-learn)")
        train.add_argument(
            "--task", choices=[*training.TASKS, "all", TEACHER_TASK, ENCODER_TASK], default="all"
        )
        train.add_argument("--out", type=Path, default=evaluation.TRAINED_DIR)
        train.add_argument(
            "--teacher-weights",
            type=Path,
            help=f"{TEACHER_TASK}, {ENCODER_TASK}: load the fine-tuned encoder from this file "
            "if it exists, else fine-tune it and save it there",
        )
        evaluate = sub.add_parser("evaluate", help="accuracy, macro-F1, macro-recall per task")
        evaluate.add_argument("--models", type=Path, default=evaluation.TRAINED_DIR)
        for p in (train, evaluate):
            p.add_argument(
                "--data-dir",
                type=Path,
                help=f"shared data sets (default: ${evaluation.DATA_DIR_ENV}, "
                "../shared/data beside the repository, /work/shared/data)",
            )
        topics = sub.add_parser(
            "train-topics", help="a workspace's topic model from a CSV with text,topic columns"
        )
        topics.add_argument("file", type=Path)
        topics.add_argument("--out", type=Path, required=True, help="model file to write (.npz)")
        topics.add_argument("--name", default="workspace-topics")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "train":
                self._train(options)
            elif options["action"] == "evaluate":
                self._evaluate(options)
            else:
                self._train_topics(options)
        except (
            training.TrainingUnavailable,
            evaluation.DataError,
            teacher.TeacherUnavailable,
        ) as exc:
            raise CommandError(str(exc)) from None

    def _train(self, options: dict[str, Any]) -> None:
        training.require_training_dependencies()
        data_dir = evaluation.find_data_dir(options["data_dir"])
        if options["task"] == TEACHER_TASK:
            path = teacher.build_labels(
                data_dir, options["out"], options["teacher_weights"], log=self.stdout.write
            )
            self.stdout.write(f"wrote {path}; now run `rippledesk model train --task sentiment`")
            return
        if options["task"] == ENCODER_TASK:
            from rippledesk.analysis import encoder_training  # noqa: PLC0415 - torch, onnx

            entry = encoder_training.write_encoder(
                data_dir, options["out"], options["teacher_weights"], log=self.stdout.write
            )
            got = entry["selection"]
            self.stdout.write(
                f"wrote {entry['file']}; selection fold macro-F1: linear "
                f"{got['linear_alone_macro_f1']:.4f}, encoder {got['encoder_alone_macro_f1']:.4f}, "
                f"cascade {got['cascade_macro_f1']:.4f} with {got['share']:.1%} sent to the encoder"
            )
            return
        tasks = training.TASKS if options["task"] == "all" else (options["task"],)
        out: Path = options["out"]
        self.stdout.write(f"training {', '.join(tasks)} from {data_dir} into {out}")
        manifest = training.train_and_export(tasks, data_dir, out, log=self.stdout.write)
        for task in tasks:
            for data, metrics in manifest["models"][task]["validation"].items():
                self.stdout.write(
                    f"{task:<10} {data:<32} macro-F1 {metrics['macro_f1']:.4f} "
                    f"accuracy {metrics['accuracy']:.4f} macro-recall {metrics['macro_recall']:.4f}"
                )

    def _evaluate(self, options: dict[str, Any]) -> None:
        data_dir = evaluation.find_data_dir(options["data_dir"])
        models_dir: Path = options["models"]
        manifest = evaluation.load_manifest(models_dir)
        try:
            models = evaluation.load_models(models_dir)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        stack = load_sentiment(models["sentiment"], models_dir)
        results = evaluation.evaluate_models(
            data_dir, models, manifest, stack if stack.encoder is not None else None
        )
        self.stdout.write(f"models in {models_dir}, data in {data_dir}")
        self.stdout.write(evaluation.format_results(results))

    def _train_topics(self, options: dict[str, Any]) -> None:
        training.require_training_dependencies()
        try:
            model = training.train_topics_csv(options["file"], options["out"], options["name"])
        except ValueError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        topics = ", ".join(model.labels)
        self.stdout.write(f"wrote {options['out']}: {model.name} {model.version}, topics {topics}")
