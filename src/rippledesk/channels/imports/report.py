"""What an import did, kept on its ImportRun and told to the person who ran it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from rippledesk.channels.models import ImportProblem, ImportRun
from rippledesk.conversations.bulk import BatchResult
from rippledesk.core.sql import insert_rows

Severity = ImportProblem.Severity


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    severity: str
    message: str


@dataclass
class ImportReport:
    """Counts and problems of one run; ``rows_rejected`` drives the command's exit code."""

    run: ImportRun
    rows_read: int = 0
    messages_added: int = 0
    messages_present: int = 0
    conversations_added: int = 0
    problems: list[Problem] = field(default_factory=list)
    _flushed: int = 0

    @property
    def rows_rejected(self) -> int:
        return sum(1 for p in self.problems if p.severity == Severity.REJECTED)

    def reject(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, Severity.REJECTED, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, Severity.WARNING, message))

    def add(self, result: BatchResult) -> None:
        self.messages_added += result.messages_added
        self.messages_present += result.messages_present
        self.conversations_added += result.conversations_added

    def finish(self) -> None:
        """Store the counts and the problems on the run."""
        self.problems.sort(key=lambda p: p.line)
        insert_rows(
            ImportProblem,
            ("run", "line", "severity", "message"),
            [(self.run.pk, p.line, p.severity, p.message) for p in self.problems],
        )
        run = self.run
        run.rows_read = self.rows_read
        run.messages_added = self.messages_added
        run.messages_already_present = self.messages_present
        run.rows_rejected = self.rows_rejected
        run.conversations_added = self.conversations_added
        run.finished_at = timezone.now()
        run.save()

    def summary(self) -> str:
        if self.messages_present and not self.messages_added:
            outcome = "nothing new: every good row was already stored"
        else:
            outcome = (
                f"{self.messages_added:,} messages added in "
                f"{self.conversations_added:,} new conversations"
            )
        warnings = len(self.problems) - self.rows_rejected
        return (
            f"{self.run.source_name}: read {self.rows_read:,} rows; {outcome}; "
            f"{self.messages_present:,} already present; {self.rows_rejected:,} rejected"
            + (f"; {warnings:,} warnings" if warnings else "")
            + f" (import run {self.run.pk})"
        )
