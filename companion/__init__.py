"""Companion: a self-hosted live companion for webconference programmes.

Nothing heavy is imported here, so that ``python -m companion serve`` can choose and
monkey-patch the async server (eventlet or gevent) before Flask and its friends load.
"""


def create_app(config=None):
    """Build the Flask application (see :mod:`companion.app`)."""
    from .app import create_app as _create_app

    return _create_app(config)
