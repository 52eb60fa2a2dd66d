"""Reads of the cases app, always scoped through anticor.access."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db.models import QuerySet

from anticor import access
from cases.models import Case

# Inflection endings of Russian surnames and nouns, longest first: «Серикбаеву» → «серикбаев».
_ENDINGS = (
    "ыми",
    "ими",
    "ого",
    "его",
    "ому",
    "ему",
    "ой",
    "ей",
    "ым",
    "им",
    "ом",
    "ем",
    "ую",
    "ая",
    "а",
    "у",
    "е",
    "ы",
    "ю",
    "и",
)
_TOKEN = re.compile(r"[\w-]+", re.UNICODE)


def _stem_prefix(token: str) -> str:
    for ending in _ENDINGS:
        if len(token) - len(ending) >= 4 and token.endswith(ending):
            return token[: -len(ending)]
    return token


def search_query(text: str) -> SearchQuery | None:
    """A full-text query over number, summary and subject names that tolerates Russian grammatical cases.

    Each word matches either its Russian stem (summary) or, as a prefix without its ending, an unstemmed name:
    the Snowball stemmer treats surnames inconsistently («Серикбаев» → «серикба», «Серикбаева» → «серикбаев»).
    """
    tokens = [t.lower() for t in _TOKEN.findall(text)][:12]
    query: SearchQuery | None = None
    for token in tokens:
        clean = re.sub(r"[^\w]", "", token)
        if not clean:
            continue
        alternative = SearchQuery(clean, config="russian") | SearchQuery(
            f"{_stem_prefix(clean)}:*", config="simple", search_type="raw"
        )
        query = alternative if query is None else query & alternative
    return query


def case_search(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    query = search_query(text)
    return queryset.filter(search_vector=query) if query is not None else queryset


def cases_visible(user: access.Principal) -> QuerySet[Case]:
    return access.visible(user, Case.objects.all())
