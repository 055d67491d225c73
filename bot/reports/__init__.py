"""Reports people read: self-contained HTML with embedded charts (bot.reports.html), shared by the audit,
the replay and the weekly report."""
