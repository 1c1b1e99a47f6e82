"""Entry point: ``python -m companion COMMAND``.

The only module that imports eventlet or gevent: a server command patches the standard library
before Flask, SQLAlchemy or the database drivers load, as both libraries require.
"""

import os
import sys
import warnings

SERVER_COMMANDS = {"serve"}


def _monkey_patch() -> None:
    mode = os.environ.get("COMPANION_ASYNC_MODE", "eventlet")
    if "--async-mode" in sys.argv:
        index = sys.argv.index("--async-mode")
        if index + 1 < len(sys.argv):
            mode = sys.argv[index + 1]
            os.environ["COMPANION_ASYNC_MODE"] = mode
    if mode == "eventlet":
        # Eventlet warns at import that it is in maintenance mode; it is our default on purpose.
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
        from eventlet.websocket import RFC6455WebSocket

        from companion.realtime.wsmask import apply_mask

        RFC6455WebSocket._apply_mask = staticmethod(apply_mask)
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()


if len(sys.argv) > 1 and sys.argv[1] in SERVER_COMMANDS:
    _monkey_patch()

from companion.cli import main  # noqa: E402  (after patching, on purpose)

main()
