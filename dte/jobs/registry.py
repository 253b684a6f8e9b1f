"""Job handlers by kind. A domain registers `@job_handler("registry.import")` on a
function `(job, progress) -> dict` and starts it with `jobs.services.job_start`."""

from collections.abc import Callable

_HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    def register(func: Callable) -> Callable:
        _HANDLERS[kind] = func
        return func

    return register


def handler_for(kind: str) -> Callable:
    from django.apps import apps
    from importlib import import_module, util

    if kind not in _HANDLERS:  # handlers live in each app's jobs.py; import them on first use
        for config in apps.get_app_configs():
            if config.name.startswith("dte.") and util.find_spec(f"{config.name}.jobs"):
                import_module(f"{config.name}.jobs")
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no job handler registered for {kind!r}") from None
