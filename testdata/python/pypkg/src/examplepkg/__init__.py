"""examplepkg renders reports from templates fetched over HTTP."""

from .core import fetch_template, render

__all__ = ["fetch_template", "render"]
__version__ = "0.3.1"
