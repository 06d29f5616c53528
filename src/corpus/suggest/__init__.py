"""Machine suggestions: the numeric-claim parser, the entity tagger, and their evaluation against the gold."""
