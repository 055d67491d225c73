"""Reports on what the bot did: `supportbot report` (text, JSON, HTML with charts), the weekly digest for
the agents' room, the audited accuracy from the quality sample, and drift warnings.

Every number is aggregated in the database (GROUP BY, conditional counts, percentiles), so a year of
traffic costs a handful of queries, not a loop over rows: `queries` and `drift` read, `report` assembles
the typed result, `render_text` and `render_html` present it, `digest` shortens it for a chat message.
"""
