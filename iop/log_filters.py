"""Logging filters (importable before Django's apps are loaded)."""

import logging


class DropTracebackFilter(logging.Filter):
    """Replace a logged exception by its class name: tracebacks and exception texts can
    carry SQL and personal data (a PostgreSQL error repeats the offending values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc_type = record.exc_info[0]
            name = exc_type.__name__ if exc_type else "Exception"
            record.msg = f"{record.getMessage()} [{name}]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True
