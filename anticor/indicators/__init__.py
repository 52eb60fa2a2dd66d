"""The indicator engine (DESIGN.md §4.5): a registry filled by each app, periods, the set-based nightly recompute,
locked periods with restatements, and the values' read side.

- ``registry`` — apps declare ``IndicatorDefinition``s (and recompute steps) in ``<app>/indicators.py``;
  ``AnticorConfig.ready`` imports those modules, so adding an indicator never touches the engine.
- ``periods`` — ``2022``, ``2022-H1``, ``2022-Q3``, ``2022-07``; calendar dates in Asia/Almaty.
- ``engine`` — one SELECT per indicator for every period × department at once (GROUPING SETS give the agency
  total), stored by comparison: a rerun on unchanged data writes nothing.
- ``services`` — ``indicators_recompute`` (one transaction, advisory lock: a concurrent second run is recorded as
  ``skipped``), ``indicators_recompute_async`` (Celery, after commit), ``indicator_period_lock``.
- ``selectors`` — values with their lock and latest restatement; department-scoped readers see their departments'
  rows, not the agency totals.

Conventions of the definitions: zero denominators are stored as no value (NULL); archived cases count nowhere;
rejected root causes are not causes; overturned discipline records are not counted. Gaming-signal thresholds:
end-of-period registrations above 20% (DESIGN), backdated entries above 5%, rehabilitation above 5%.
"""
