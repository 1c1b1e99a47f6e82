"""Pieces every domain shares: errors, schemas, time, tokens, HTTP helpers."""
