"""fragile_care: analysis pipeline for obstetric and neonatal care in Västra Götalandsregionen."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fragile-care")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
