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
    """The body, form or JSON does not say what it should (no picture field, bad base64, …)."""

    code = "malformed"


class UnsupportedContentType(InputError):
    """The request is neither multipart/form-data nor JSON."""

    code = "unsupported_type"


class EmptyPicture(InputError):
    """The picture file has no bytes."""

    code = "empty"


class UnsupportedPicture(InputError):
    """The bytes are not a picture in one of the formats of `webapp.uploads.PICTURE_FORMATS` (nor, where
    pages are read, a PDF); or a PDF sent where one picture of a letter is wanted."""

    code = "unsupported_type"


class PictureTooLarge(InputError):
    """Over a limit of `webapp.uploads`: file size, pixels (full-size pixels for a picture that cannot
    be decoded smaller), or pages of a PDF."""

    code = "too_large"


class TooManyFormParts(InputError):
    """More parts in a multipart form than the parser takes (a picture is one part)."""

    code = "too_many_parts"


class PictureTooSmall(InputError):
    """Too few pixels to show a letter."""

    code = "too_small"


class DamagedPicture(InputError):
    """A known format whose data is damaged or cut short; a PDF also when it needs a password or has
    no pages."""

    code = "damaged"
