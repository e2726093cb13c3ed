"""Data tables generated from the libraries mlsmells knows (see ``scripts/``)."""
