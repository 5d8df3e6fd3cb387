"""A request class that keeps uploads in memory and reports a broken body instead of ignoring it."""

import io

from flask import Request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from webapp.input_errors import MalformedRequest, TooManyFormParts


class StrictFormDataParser(FormDataParser):
    """Raise on a malformed body (bad boundary, non-UTF-8 headers) rather than parse it as empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, silent=False, **kwargs)


class InMemoryRequest(Request):
    """Werkzeug spools big uploads to temporary files; MAX_CONTENT_LENGTH bounds memory instead."""

    form_data_parser_class = StrictFormDataParser

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()

    def _load_form_data(self):
        """Parse the body once; if it is too large or malformed, leave the form empty and say so.

        The empty form lets error pages build their forms without parsing the body again.
        """
        try:
            super()._load_form_data()
        except (RequestEntityTooLarge, ValueError) as error:
            empty = self.parameter_storage_class()
            self.__dict__.update(stream=io.BytesIO(), form=empty, files=empty)
            if isinstance(error, ValueError):
                raise MalformedRequest(_(
                    "The upload is malformed: send well-formed multipart/form-data with UTF-8 headers.")) from None
            if self.content_length is not None and self.content_length <= self.max_content_length:
                # A body within the size limit, whose fields are bounded by it too
                # (MAX_FORM_MEMORY_SIZE), can only have broken the limit on form parts.
                raise TooManyFormParts(_("The form has more than %(limit)d parts: send one picture.",
                                         limit=self.max_form_parts)) from None
            raise
