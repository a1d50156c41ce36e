"""Article-extraction benchmark on the Dragnet development set (``python -m bench.extraction``)."""
