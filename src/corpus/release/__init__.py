"""Release folders: Parquet configs, card, Croissant, checksums, verification, versioned releases and publishing."""
