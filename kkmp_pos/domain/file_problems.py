"""Problems found in an imported file: where (line, column) and why, and the refusal that lists them."""

from __future__ import annotations

from dataclasses import dataclass

from kkmp_pos.domain.errors import PosError
from kkmp_pos.i18n import tr


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong where: file line number (header is line 1), column, reason in Indonesian."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return tr("Baris {line}, kolom '{column}': {reason}", line=self.line, column=self.column,
                  reason=self.reason)


class FileInvalid(PosError):
    """A file with problems: the import stops and nothing of it is written. Subclasses name the file kind."""

    def __init__(self, message: str, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(message, count=len(problems))

    def report(self, limit: int = 50) -> str:
        """The refusal and the first `limit` problems, one per line."""
        lines = [str(self)] + [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(tr("... dan {more} kesalahan lain.", more=len(self.problems) - limit))
        return "\n".join(lines)
