from django.db.models import ProtectedError


def protected_message(obj, error: ProtectedError) -> str:
    """Why ``obj`` cannot be deleted, naming (up to five of) the objects that still use it."""
    blocking = ", ".join(sorted({str(item) for item in error.protected_objects})[:5])
    return f"{obj} cannot be deleted while it still has: {blocking}."
