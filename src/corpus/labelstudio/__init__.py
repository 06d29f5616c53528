"""Label Studio: labeling config, local server, SDK client and the push/pull/replay commands.

Naming (from_names, region ids, task data) is fixed in one place, `corpus.labelstudio.config`, and shared with
`corpus.gold.convert`, the inverse direction. Reading stored exports lives here too (`exports`): the export file
format is Label Studio's.
"""
