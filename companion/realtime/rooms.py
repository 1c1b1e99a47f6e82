"""Room names. Only the server picks rooms; clients never name one."""


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def staff_room(session_id: int) -> str:
    return f"session:{session_id}:staff"


def participant_room(participant_id: int) -> str:
    return f"participant:{participant_id}"
