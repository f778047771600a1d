"""Data sources: Yahoo, FRED and the CSV importer, with pacing, retries and transport errors."""
