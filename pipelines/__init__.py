"""newsbeam's entry points: the ``newsbeam`` command and the ingestion pipeline."""
