"""User-facing failures. The CLI prints each as one line and exits 2; anything else is a bug (exit 1)."""


class SynthError(Exception):
    """A failure the user can fix; its message names the problem and where it is."""


class RecipeError(SynthError):
    """The recipe file is missing, malformed or asks for something impossible."""


class TaskError(SynthError):
    """A task was asked for something it cannot produce (unknown name, bad params)."""


class OutputError(SynthError):
    """The output folder cannot be written or holds a different dataset."""
