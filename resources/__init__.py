"""Data files shipped with the app (catalogue sample, region codes, translations), read via importlib.resources."""
