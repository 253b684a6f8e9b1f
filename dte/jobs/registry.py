"""Job handlers by kind. A domain registers `@job_handler("registry.import")` on a
function `(job, progress) -> dict` and starts it with `jobs.services.job_start`.

`retry_safe=True` declares that running the handler again after a killed worker is harmless (it is
idempotent, or all-or-nothing in one transaction): the sweeper then queues it again instead of failing it.
`on_abandon(job, retrying)` lets the domain put its own rows back in order when a worker died mid-job
(e.g. an import stuck in "validating").

`queue` names the Celery queue the kind runs on (deploy/SCALING.md, "Work: workers per queue"): `interactive`
(someone waits: roster and score imports; the default), `bulk` (long and heavy: simulations, back-fills),
`notify` (reminders, deadline notices) or `maintenance` (sweeps, audit checkpoints). `job_start` and the
sweeper queue a kind's jobs there; beat's `start_scheduled(kind)` is routed there by
`dte.jobs.routing.route_task` (CELERY_TASK_ROUTES). Without a broker (`make run`, tests) every queue runs
in-process alike."""

from collections.abc import Callable
from dataclasses import dataclass

_HANDLERS: dict[str, Callable] = {}


INTERACTIVE, BULK, NOTIFY, MAINTENANCE = "interactive", "bulk", "notify", "maintenance"
QUEUES = (INTERACTIVE, BULK, NOTIFY, MAINTENANCE)  # settings/base.py declares Celery's queues from this one list


@dataclass(frozen=True)
class JobKind:
    retry_safe: bool = False
    on_abandon: Callable | None = None
    queue: str = INTERACTIVE


_KINDS: dict[str, JobKind] = {}


def job_handler(kind: str, *, retry_safe: bool = False, on_abandon: Callable | None = None, queue: str = INTERACTIVE):
    if queue not in QUEUES:
        raise ValueError(f"job kind {kind!r}: queue must be one of {', '.join(QUEUES)}, not {queue!r}")

    def register(func: Callable) -> Callable:
        _HANDLERS[kind] = func
        _KINDS[kind] = JobKind(retry_safe=retry_safe, on_abandon=on_abandon, queue=queue)
        return func

    return register


def _load_handlers() -> None:
    from django.apps import apps
    from importlib import import_module, util

    for config in apps.get_app_configs():
        if config.name.startswith("dte.") and util.find_spec(f"{config.name}.jobs"):
            import_module(f"{config.name}.jobs")


def handler_for(kind: str) -> Callable:
    if kind not in _HANDLERS:  # handlers live in each app's jobs.py; import them on first use
        _load_handlers()
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no job handler registered for {kind!r}") from None


def kind_options(kind: str) -> JobKind:
    if kind not in _KINDS:
        _load_handlers()
    return _KINDS.get(kind, JobKind())


def queue_for(kind: str) -> str:
    """The Celery queue a kind's jobs run on (INTERACTIVE for a kind that does not say)."""
    return kind_options(kind).queue
