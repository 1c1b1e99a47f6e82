"""The JSON module of Socket.IO packets: a payload nested too deeply is answered, not dropped.

The decoder raises RecursionError on, say, 50,000 nested arrays (and ValueError on broken JSON
or an integer of more than 100 digits); python-socketio then drops the packet with a traceback
and the client waits for an acknowledgement forever. Such a packet decodes here as the event
:data:`INVALID_PAYLOAD` with no argument: the catch-all handler answers it ``invalid`` under
the packet's own ack id.
"""

from __future__ import annotations

from typing import Any

from engineio import json as _json

#: Event name no client can register (it starts with NUL): "this packet did not decode".
INVALID_PAYLOAD = "\x00invalid-payload"

dumps = _json.dumps


def loads(*args: Any, **kwargs: Any) -> Any:
    try:
        return _json.loads(*args, **kwargs)  # engineio's: refuses integers of 100+ digits
    except (RecursionError, ValueError):
        return [INVALID_PAYLOAD]
