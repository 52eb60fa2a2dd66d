"""Reads of the cases app, always scoped through anticor.access."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Q, QuerySet

from anticor import access
from cases.models import Case, Subject

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
_TOKEN = re.compile(r"\w+", re.UNICODE)
# The fleeting vowel of the genitive plural: «взяток» → «взятк» (as in «взятка», «взятки»), «проверок» → «проверк».
_FLEETING_VOWEL = re.compile(r"(?<=[бвгджзклмнпрстфхцчшщ])[оеё]к$")
_IIN = re.compile(r"\d{12}")
_MAX_WORDS = 12
_MAX_WORD_LENGTH = 64


def _stem_prefix(token: str) -> str:
    if len(token) >= 6 and _FLEETING_VOWEL.search(token):
        return token[:-2] + "к"
    for ending in _ENDINGS:
        if len(token) - len(ending) >= 4 and token.endswith(ending):
            return token[: -len(ending)]
    return token


class _WordQuery(SearchQuery):
    """One word: its Russian forms (``websearch_to_tsquery``, as the summary is indexed) or, as a prefix without its
    ending, an unstemmed name, a number or a partial word. A Russian stop word («на», «при») is an empty query, which
    PostgreSQL drops from ``&&`` — so it neither matches nor blocks, as it does inside ``websearch_to_tsquery``."""

    def __init__(self, word: str) -> None:
        super().__init__(word, config="russian", search_type="websearch")
        self.word = word

    def as_sql(self, compiler, connection, function=None, template=None):
        sql = (
            "(CASE WHEN numnode(websearch_to_tsquery('russian'::regconfig, %s)) = 0 THEN ''::tsquery"
            " ELSE websearch_to_tsquery('russian'::regconfig, %s) || to_tsquery('simple'::regconfig, %s) END)"
        )
        return sql, [self.word, self.word, f"{_stem_prefix(self.word)}:*"]


def search_query(text: str) -> SearchQuery | None:
    """A full-text query over number, summary and subject names that tolerates Russian grammatical cases.

    Only letters and digits reach PostgreSQL, each word as a bound parameter: quotes and ``&|!():*`` are separators,
    never query syntax. Prefix alternatives exist because the Snowball stemmer treats surnames inconsistently
    («Серикбаев» → «серикба», «Серикбаева» → «серикбаев») and because a reader types partial words.
    """
    words = [word[:_MAX_WORD_LENGTH] for word in _TOKEN.findall(text.lower().replace("_", " "))][:_MAX_WORDS]
    query: SearchQuery | None = None
    for word in words:
        query = _WordQuery(word) if query is None else query & _WordQuery(word)
    return query


def case_search(queryset: QuerySet[Case], text: str, *, user: access.Principal | None = None) -> QuerySet[Case]:
    """Cases whose number, summary or subject names match ``text``; a full IIN also finds the cases of its subjects,
    but only for readers who may see IINs (for anyone else it is no search key, so the list cannot be an oracle)."""
    query = search_query(text)
    if query is None:
        return queryset
    matches = Q(search_vector=query)
    iin = text.strip()
    if _IIN.fullmatch(iin) and user is not None and access.can_see_personal_fields(user, Subject):
        matches |= Q(Exists(Subject.objects.filter(case=OuterRef("pk"), iin=iin, is_removed=False)))
    return queryset.filter(matches)


def cases_visible(user: access.Principal) -> QuerySet[Case]:
    return access.visible(user, Case.objects.all())
