"""The pipeline for an open, annotated news corpus: clean, suggest, annotate in Label Studio, adjudicate, release."""

__version__ = "0.1.0"
