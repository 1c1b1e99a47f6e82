"""``python -m companion bench``: a reproducible load benchmark on loopback.

A development tool beside the application, not part of it: its requirements (psutil, requests)
come with requirements-dev.txt, and ``tests/e2e`` starts its servers with ``bench.servers``.

The bench process only orchestrates: it starts ``python -m companion serve`` (and, as the floor,
a raw Flask-SocketIO relay) as subprocesses and drives simulated attendees from load-generator
processes. It never imports eventlet or gevent, nor the application itself.
"""
