"""The ways what a person sent can be unusable.

Each error carries a stable, machine-readable `code` for programs and a message for people;
the views decide the HTTP status (`webapp.errors.describe`).
"""


class InputError(Exception):
    """The request cannot be used as it is."""

    code = "bad_request"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class MalformedRequest(InputError):
    code = "malformed"


class UnsupportedContentType(InputError):
    code = "unsupported_type"


class EmptyPicture(InputError):
    code = "empty"


class UnsupportedPicture(InputError):
    code = "unsupported_type"


class PictureTooLarge(InputError):
    code = "too_large"


class PictureTooSmall(InputError):
    code = "too_small"


class DamagedPicture(InputError):
    code = "damaged"
