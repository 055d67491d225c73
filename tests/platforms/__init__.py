"""Local fakes of the chat platforms (Slack, Discord) that the real client libraries talk to in tests and benchmarks."""
