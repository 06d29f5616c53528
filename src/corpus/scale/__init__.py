"""The bulk paths for inputs larger than memory: the streaming export->Parquet build and its fast path."""
