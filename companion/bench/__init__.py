"""``python -m companion bench``: a reproducible load benchmark on loopback.

The bench process only orchestrates: it starts ``python -m companion serve`` (and, as the floor,
a raw Flask-SocketIO relay) as subprocesses and drives simulated attendees from load-generator
processes. It never imports eventlet or gevent, nor the application itself.
"""
