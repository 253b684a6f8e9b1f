"""Demo data for subsidies: each province's budget for the year, and the training demo's finished
Shanxi class claimed from its facts (employment recorded, 晋人社厅发〔2024〕27号 五(四)), approved by
the bureau ten days ago so that its publicity has ended and it waits for the finance officer's
authorisation. Does nothing when the training demo made no finished class."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dte.organisations.models import User
from dte.registry.models import Enrolment, TrainingClass

from .models import Budget, Claim, EmploymentRecord
from .services.claims import ClaimRefused, claim_create
from .services.review import ReviewRefused, budget_set, claim_approve

BUDGETS = {"140000": "sx_province", "120000": "tj_province", "450000": "gx_province", "530000": "yn_province",
           "540000": "xz_province"}
BUDGET_FEN = 2_000_000_00  # ¥2,000,000 a year, a demo figure


@transaction.atomic
def generate(context) -> None:
    today = timezone.localdate()
    if Claim.objects.exists():
        return
    for province, username in BUDGETS.items():
        officer = User.objects.filter(username=username).first()
        if officer is not None and not Budget.objects.filter(province_id=province, year=today.year).exists():
            budget_set(province, today.year, BUDGET_FEN, by=officer, basis="演示：年度补贴资金预算")
    klass = (TrainingClass.objects.filter(division__code__startswith="14", sessions__isnull=False,
                                          enrolments__training_certificates__isnull=False)
             .distinct().order_by("end_date", "pk").first())
    staff = User.objects.filter(username="sxu_staff").first()
    officer = User.objects.filter(username="sx_province").first()
    if klass is None or staff is None or officer is None or klass.institution_id != staff.organisation_id:
        context.log.append("subsidy: no finished Shanxi class of the demo institution, no claim")
        return
    # The class has ended and its completion is decided: it is closed for claiming.
    TrainingClass.objects.filter(pk=klass.pk).update(status=TrainingClass.Status.COMPLETED)
    klass.refresh_from_db()
    for enrolment in klass.enrolments.filter(status=Enrolment.Status.COMPLETED).order_by("pk"):
        EmploymentRecord.objects.get_or_create(enrolment=enrolment, defaults=dict(
            status="employed", employer="太原某数字科技有限公司", recorded_by=staff))
    try:
        claim = claim_create(training_class=klass, kind=Claim.Kind.CLASS, by=staff, today=today - timedelta(days=20))
        claim_approve(claim, by=officer, today=today - timedelta(days=10))
    except (ClaimRefused, ReviewRefused) as error:
        context.log.append(f"subsidy: demo claim not made ({error})")
        return
    context.log.append(f"subsidy: claim {claim.pk} for {klass.title}, {claim.lines.count()} lines, waiting for authorisation")
