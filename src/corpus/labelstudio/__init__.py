"""Label Studio: labeling config, local server, SDK client and the push/pull/replay commands.

Naming (from_names, region ids, task data) is fixed in one place, `corpus.labelstudio.config`, and shared with
`corpus.convert`, the inverse direction.
"""
