"""Case specs for generate.py, one module per family of losses."""
