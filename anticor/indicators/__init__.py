"""The indicator engine (DESIGN.md §4.5): a registry filled by each app, periods, the set-based nightly recompute,
locked periods with restatements, and the values' read side.

Apps declare their indicators in ``<app>/indicators.py``; ``AnticorConfig.ready`` imports those modules, so adding an
indicator never touches the engine.
"""
