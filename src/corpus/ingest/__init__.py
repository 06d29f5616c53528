"""Raw articles in: source metadata, cleaning with logged removals and the clean->raw offset map."""
