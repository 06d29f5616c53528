"""The contract every stage uses: taxonomy, models, spans, errors, file formats. Imports nothing else of corpus."""
