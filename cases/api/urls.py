"""Routes of the cases resources, registered on the shared /api/v1/ router."""


def register(router) -> None:
    """Filled by the cases API (cases, root-causes, recommendations)."""
