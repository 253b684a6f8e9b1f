"""The API's page-number pagination, bounded.

django-ninja's PageNumberPagination accepts any page number; (page - 1) × page_size then
overflows the database's OFFSET and the request fails with a server error. Bounding the
page turns such input into a 422 that names the field.
"""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
