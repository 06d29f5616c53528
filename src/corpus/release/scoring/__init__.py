"""The official scorer: predictions in the `documents` config's shape scored against a release's gold.

One module per step: `reference` reads the gold, `predictions` validates a prediction file, `align` pairs
spans once, and `entities`, `claims`, `stance`, `attributed` score one layer each from that pairing;
`report` puts them together (`score`) and prints them.
"""
