"""Exceptions with messages a person can act on; the CLI turns them into exit codes."""


class KpssError(Exception):
    """Base class: the CLI prints the message (no traceback) and exits non-zero."""


class TerritoryNotFoundError(KpssError, LookupError):
    """An ORP (or kraj) name or code that matches nothing, or more than one territory."""


class DataMissingError(KpssError, FileNotFoundError):
    """Processed or raw data that a step needs do not exist yet."""


class DataValidationError(KpssError, ValueError):
    """A raw file that does not look like what its publisher publishes."""


class ParameterError(KpssError, ValueError):
    """A notebook or command parameter with a wrong value."""


class DamagedFileError(KpssError):
    """A processed table or a bookkeeping file (report, manifest, summary) that cannot be read."""


class BusyError(KpssError):
    """Another ``kpss`` process is writing where this one would write."""
