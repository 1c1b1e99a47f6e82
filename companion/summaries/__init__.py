"""Summaries: the session summary, the event synthesis, their exports, and data retention."""
