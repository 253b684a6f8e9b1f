"""`dte demo --scale N`: the demo data set. Scale 1 = 1,000 people over the five provinces.

Other domain apps add their demo data by defining `demo.generate(context)` in their
package (e.g. dte/registry/demo.py); they run in the order of settings.DTE_APPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module, util

from django.conf import settings

from dte.geography.models import Division
from dte.organisations.models import Organisation

from .accounts import demo_accounts, demo_organisations
from .people import people_generate

PEOPLE_PER_SCALE = 1000
PROVINCES = ["140000", "120000", "450000", "530000", "540000"]


@dataclass
class DemoContext:
    scale: int
    seed: int
    organisations: dict[str, Organisation] = field(default_factory=dict)
    progress: object = None
    log: list[str] = field(default_factory=list)


def demo_generate(scale: int = 1, seed: int = 2026, progress=None) -> DemoContext:
    if scale < 0:
        raise ValueError("--scale must be 0 or more (1 = 1,000 people)")
    context = DemoContext(scale=scale, seed=seed, progress=progress)
    context.organisations = demo_organisations()
    demo_accounts(context.organisations)
    total = scale * PEOPLE_PER_SCALE
    for offset, province in enumerate(PROVINCES):
        counties = list(
            Division.objects.filter(code__startswith=province[:2], level=Division.Level.COUNTY).values_list("code", flat=True)
        )
        institution = (
            Organisation.objects.filter(kind=Organisation.Kind.TRAINING_INSTITUTION, division__code__startswith=province[:2])
            .order_by("pk").first()
        )
        share = total // len(PROVINCES) + (1 if offset < total % len(PROVINCES) else 0)
        added = people_generate(share, seed=seed + offset, counties=counties,
                                registered_by_id=institution.pk if institution else None, progress=progress)
        context.log.append(f"{province}: {added} new people")
    for app in settings.DTE_APPS:
        if app != "dte.demo" and util.find_spec(f"{app}.demo"):
            import_module(f"{app}.demo").generate(context)
    return context
