"""`corpus export`: a full (or rehydrated) release folder in the formats other tools read (BRAT, CoNLL, spaCy)."""
