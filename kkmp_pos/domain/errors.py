"""Expected errors: each carries Indonesian text that tells the user what is wrong and what to do."""

from __future__ import annotations

from kkmp_pos.i18n import tr


class PosError(Exception):
    """An expected failure that the UI shows as a plain message; never a bug."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(tr(message, **params))

    def __str__(self) -> str:
        # Translated late so a language switch after raising still shows the right text.
        return tr(self.message, **self.params)


class InvalidInput(PosError):
    """The user typed something the till cannot accept."""


class NotFound(PosError):
    """A barcode, receipt number or record that does not exist."""


class PrinterError(PosError):
    """The receipt printer is off, missing, out of paper or misconfigured."""
