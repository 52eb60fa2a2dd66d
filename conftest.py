"""Root conftest: tests run in development mode (DEBUG=1) unless the environment says otherwise.

Services are real: DATABASE_URL / REDIS_URL when set, the embedded ones under var/ otherwise.
"""

import os

os.environ.setdefault("DEBUG", "1")
