"""Protection at the edge: security headers, rate limits."""
