"""Cursor pagination: stable and cheap on large tables (no COUNT, no OFFSET scans)."""

from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
