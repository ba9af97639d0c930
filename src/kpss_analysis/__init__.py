"""kpss-analysis: analytické kapitoly komunitních plánů sociálních služeb z otevřených dat."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kpss-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
