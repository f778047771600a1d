"""Data sources: the only modules that touch the network (and the CSV importer)."""
