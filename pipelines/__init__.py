"""newsbeam's entry points: the ``newsbeam`` command and the ingestion pipeline."""

import logging


class _WithoutOptionalGcpNotice(logging.Filter):
    """Beam warns at import that the GCP extras are absent; without the ``gcp``
    extra that is expected, and the notice only hides real warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("apitools not found")


logging.getLogger().addFilter(_WithoutOptionalGcpNotice())
