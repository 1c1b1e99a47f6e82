"""The bench's floor: a raw Flask-SocketIO relay that only rebroadcasts.

Run as its own process from the repository's root (``python -m bench.relay_server --port P
--ping-interval 20 --ping-timeout 60``, as the bench does with Companion's values), so the
async library is chosen and the standard library patched before Flask loads, as in
``python -m companion serve``. It is configured like Companion's Socket.IO server (same async
mode, keepalive, message queue and channel) and does nothing else: no database, no
authentication, no validation. Companion's CPU per delivery over this one's is the price of
everything Companion adds.
"""

from __future__ import annotations

import argparse


def build_app(
    async_mode: str,
    message_queue: str | None,
    channel: str,
    ping_interval: int,
    ping_timeout: int,
):
    """Build the relay: ``join`` enters a room, ``relay`` emits a payload to a room."""
    from flask import Flask, request
    from flask_socketio import SocketIO, emit, join_room

    app = Flask("companion-bench-relay")
    socketio = SocketIO(
        app,
        async_mode=async_mode,
        message_queue=message_queue,
        channel=channel,
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        logger=False,
        engineio_logger=False,
        async_handlers=False,  # as Companion's: each connection's events on its reader
    )

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @socketio.on("join")
    def on_join(data):
        join_room(data["room"], sid=request.sid)
        return {"ok": True}

    @socketio.on("relay")
    def on_relay(data):
        emit("relayed", data["payload"], to=data["room"])
        return {"ok": True}

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--message-queue", default=None)
    parser.add_argument("--channel", default="companion-bench-relay")
    # No defaults of its own: the bench passes Companion's (companion.config.Config).
    parser.add_argument("--ping-interval", type=int, required=True)
    parser.add_argument("--ping-timeout", type=int, required=True)
    args = parser.parse_args()
    if args.async_mode == "eventlet":
        import warnings

        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
        # As Companion's entry point does: the same server, frames unmasked the same way.
        from eventlet.websocket import RFC6455WebSocket

        from companion.realtime.wsmask import apply_mask

        RFC6455WebSocket._apply_mask = staticmethod(apply_mask)
    else:
        from gevent import monkey

        monkey.patch_all()
    app, socketio = build_app(
        args.async_mode, args.message_queue, args.channel, args.ping_interval, args.ping_timeout
    )
    print(f"relay on http://{args.host}:{args.port}/ ({args.async_mode})", flush=True)
    # As `serve` does: eventlet.wsgi holds at most 1,024 connections unless told otherwise.
    options = {"max_size": 20_000} if args.async_mode == "eventlet" else {}
    socketio.run(
        app, host=args.host, port=args.port, log_output=False, use_reloader=False, **options
    )


if __name__ == "__main__":
    main()
