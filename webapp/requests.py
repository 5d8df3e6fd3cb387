"""A request class that keeps uploads in memory: nothing a user sends is written to disk."""

import io

from flask import Request


class InMemoryRequest(Request):
    """Werkzeug spools big uploads to temporary files; MAX_CONTENT_LENGTH bounds memory instead."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()
