"""An open, annotated news corpus on Venezuela-Russia military cooperation."""

__version__ = "0.1.0"
