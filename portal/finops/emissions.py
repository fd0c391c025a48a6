"""Each run's own energy and emissions, measured by codecarbon in the worker.

Getting a tracker ready takes about a second, so each worker process makes one when it
forks (``worker_process_init``) and measures every run task as a codecarbon *task*
(``start_task``/``stop_task`` on that tracker). Offline mode: no network call; the
grid factor is the country's in PLATEAU_CARBON_COUNTRY.
"""

import logging
import threading

from django.conf import settings
from django.db.models import F

from portal.finops.models import RunEmission

logger = logging.getLogger(__name__)

_tracker = None
_lock = threading.Lock()


def start_tracker():
    """Create this process's tracker (once) and have it probe the hardware.

    A first, empty task pays the hardware probes (about a second) here, so each run's own
    ``start_task`` is cheap. It is not ``start()``-ed: only tasks are measured, and a
    started tracker would sample power in background threads all day in every pool
    process (codecarbon supports tasks without ``start()``)."""
    global _tracker
    with _lock:
        if _tracker is None:
            from codecarbon import OfflineEmissionsTracker

            # Its constructor logs at INFO before applying log_level: quiet it first.
            logging.getLogger("codecarbon").setLevel(logging.ERROR)
            tracker = OfflineEmissionsTracker(
                country_iso_code=settings.PLATEAU_CARBON_COUNTRY,
                output_methods=[],  # nothing written: the portal stores the measures
                log_level="error",
                # Every worker process of a machine keeps its own tracker.
                allow_multiple_runs=True,
            )
            tracker.start_task("warm-up")
            tracker.stop_task("warm-up")
            _tracker = tracker
    return _tracker


def begin(task_id: str) -> bool:
    """Start measuring a task; False when this process has no tracker."""
    if _tracker is None:
        return False
    _tracker.start_task(task_id)
    return True


def end(task_id: str, run_id: int) -> RunEmission | None:
    """Stop measuring ``task_id`` and add what it drew to the run's measure."""
    if _tracker is None:
        return None
    measured = _tracker.stop_task(task_id)
    if measured is None:
        return None
    return add_measure(run_id, measured.energy_consumed, measured.emissions, measured.duration)


def add_measure(run_id: int, energy_kwh: float, emissions_kg: float, duration_s: float):
    # Single-statement increments, no transaction holding a row lock: the worker may still
    # be adding its measure while someone else deletes or truncates runs.
    RunEmission.objects.get_or_create(
        run_id=run_id, defaults={"country": settings.PLATEAU_CARBON_COUNTRY}
    )
    RunEmission.objects.filter(run_id=run_id).update(
        energy_kwh=F("energy_kwh") + energy_kwh,
        emissions_kg=F("emissions_kg") + emissions_kg,
        duration_s=F("duration_s") + duration_s,
    )
    return RunEmission.objects.get(run_id=run_id)
