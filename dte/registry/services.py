"""Writing to the registry: validated, encrypted, de-duplicated by blind index; enrolment
against quotas with the province pack's eligibility decision; the written commitment."""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.catalogue.selectors import institution_bar_reason
from dte.audit.services import audit_record
from dte.organisations.permissions import require_permission
from dte.organisations.roles import Role
from dte.privacy.crypto import blind_index
from dte.privacy.idnumber import InvalidIdNumber, normalise_id_number, validate_id_number, validate_phone

from . import rules
from .errors import NotEligible, RegistryError
from .models import Commitment, Enrolment, Person, PlanQuota, TrainingClass

ENROLLING_STATUSES = {TrainingClass.Status.DRAFT, TrainingClass.Status.SUBMITTED, TrainingClass.Status.RETURNED,
                      TrainingClass.Status.APPROVED}
ACTIVE_ENROLMENT = (Enrolment.Status.APPLIED, Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


class DuplicatePerson(ValueError):
    def __init__(self, existing: Person):
        super().__init__(_("This ID number is already registered."))
        self.existing = existing


def id_index_of(id_number: str) -> str:
    return blind_index(normalise_id_number(id_number), "id_number")


def person_find_by_id_number(id_number: str) -> Person | None:
    return Person.objects.filter(id_index=id_index_of(id_number)).first()


def person_register(
    *, name: str, id_number: str, division_id: str, phone: str = "", registered_by=None, user=None,
    today: date | None = None, employment_status: str = "", graduation_date: date | None = None,
    facts: dict | None = None,
) -> Person:
    """Register one person; raises InvalidIdNumber for bad input, DuplicatePerson if already there."""
    if registered_by is not None:  # an institution registers (the public form registers nobody's record but the user's)
        require_permission(None, "registry.person.register", registered_by)
    name = (name or "").strip()
    if not name:
        raise InvalidIdNumber(_("Name is required."), field_name="name")
    parsed = validate_id_number(id_number, today=today)
    phone = validate_phone(phone) if phone else ""
    existing = person_find_by_id_number(parsed.number)
    if existing:
        raise DuplicatePerson(existing)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                name=name,
                id_number=parsed.number,
                id_index=id_index_of(parsed.number),
                phone=phone,
                phone_index=blind_index(phone, "phone") if phone else "",
                birth_date=parsed.birth_date,
                gender=parsed.gender,
                division_id=division_id,
                employment_status=employment_status or "",
                graduation_date=graduation_date,
                **person_facts(facts),
                registered_by=registered_by,
                user=user,
            )
            audit_record(
                "registry.person.register", obj=person, division_code=division_id,
                organisation_id=registered_by.pk if registered_by else None,
                after={"name": name, "id_number": person.masked_id_number, "warnings": list(parsed.warnings)},
            )
    except IntegrityError:  # a concurrent registration of the same number won the race
        raise DuplicatePerson(person_find_by_id_number(parsed.number)) from None
    return person


def person_facts(facts: dict | None) -> dict:
    """The separate facts (employed, retired, school type, full-time) a form or API gives, as
    Person fields; unknown keys and empty answers are dropped (issue 13 item 3)."""
    allowed = ("employed", "retired", "school_type", "full_time")
    return {k: v for k, v in (facts or {}).items() if k in allowed and v not in (None, "")}


def trainee_self_register(*, name: str, id_number: str, phone: str, division_id: str, password: str,
                          employment_status: str = "", graduation_date: date | None = None, today: date | None = None,
                          facts: dict | None = None) -> Person | None:
    """The public form: a Person and a trainee login with an opaque username. Returns None
    when the ID number or the mobile number is already registered: the caller answers the
    same either way, so the form is no oracle for who is registered (issue 8 finding 6)."""
    from django.contrib.auth.password_validation import validate_password

    from dte.organisations.models import User

    phone = validate_phone(phone)
    parsed = validate_id_number(id_number, today=today)  # bad input is still refused, with the field named
    user = User(username=opaque_username(), role=Role.TRAINEE, first_name=(name or "").strip()[:150])
    validate_password(password, user)  # Django's validators incl. common and breached passwords (finding 4)
    if Person.objects.filter(phone_index=blind_index(phone, "phone"), user__isnull=False).exists():
        return None
    try:
        with transaction.atomic():
            user.set_password(password)
            user.save()
            person = person_register(name=name, id_number=parsed.number, division_id=division_id, phone=phone, user=user,
                                     today=today, employment_status=employment_status, graduation_date=graduation_date,
                                     facts=facts)
    except DuplicatePerson:
        return None
    return person


def opaque_username() -> str:
    """A trainee's login name: random, never the mobile or ID number (issue 8 finding 6).
    Trainees sign in with their mobile number, found through its blind index (dte.web.auth)."""
    import secrets

    return f"t{secrets.token_hex(6)}"


# --- quotas ------------------------------------------------------------------------------


def quota_take(quota_id: int, places: int = 1) -> None:
    """Take places from a quota with one conditional UPDATE (… WHERE enrolled + n <= places):
    concurrent takers serialise on the row and the last places go to exactly one of them."""
    taken = PlanQuota.objects.filter(pk=quota_id, enrolled__lte=F("places") - places).update(enrolled=F("enrolled") + places)
    if not taken:
        quota = PlanQuota.objects.select_related("institution", "occupation").get(pk=quota_id)
        raise RegistryError(
            f"年度计划名额已满：{quota.institution} {quota.occupation.name} 计划 {quota.places} 人，已招 {quota.enrolled} 人。",
            code="QUOTA_FULL",
        )


def quota_release(quota_id: int, places: int = 1) -> None:
    PlanQuota.objects.filter(pk=quota_id, enrolled__gte=places).update(enrolled=F("enrolled") - places)


# --- enrolment ------------------------------------------------------------------------------


# Consent to enrolment (issue 8 finding 2). Reading chosen: an institution reaches a person's
# record only through data the person gave it: the person registered with it (registered_by),
# or made/confirmed an enrolment in one of its classes. An enrolment the institution enters for
# anybody else (by ID number, API or roster import; from this or another province) is created
# "applied" = pending the person's confirmation: it holds a class place, takes no plan quota,
# evaluates nothing about the person (the pack's eligibility reasons would disclose their
# status) and adds no access (Person.access_scope counts consented enrolments only). The person
# confirms by signing the written commitment (告知承诺制, e.g. 晋人社厅发〔2024〕27号 四) or
# declines; cross-province enrolments follow the same path, and the venue pack still decides
# eligibility at confirmation (institution_in_home_province, cross_province_training_forbidden).


def institution_reaches(person: Person, institution_id: int | None) -> bool:
    """Whether this institution already holds the person's data with their consent."""
    if institution_id is None:
        return False
    if person.registered_by_id == institution_id:
        return True
    if person.registered_by_id is None and person.user_id is None:
        return True  # a record nobody gave (loaded by the platform): no one's consent to wait for
    return Enrolment.objects.filter(person=person, training_class__institution_id=institution_id).exclude(
        status=Enrolment.Status.APPLIED).exists()


def institution_reaches_ids(person_ids, institution_id: int) -> set[int]:
    """institution_reaches for many people at once (roster imports)."""
    ids = set(person_ids)
    reached = set(Person.objects.filter(Q(registered_by_id=institution_id) | Q(registered_by__isnull=True, user__isnull=True),
                                        pk__in=ids).values_list("pk", flat=True))
    reached |= set(Enrolment.objects.filter(person_id__in=ids - reached, training_class__institution_id=institution_id)
                   .exclude(status=Enrolment.Status.APPLIED).values_list("person_id", flat=True))
    return reached


def enrolment_create(training_class: TrainingClass, person: Person, *, source: str = Enrolment.Source.INSTITUTION,
                     decision: dict | None = None, by=None) -> Enrolment:
    """Enrol one person: the pack decides eligibility (reasons kept on the enrolment); a
    subsidised place needs an eligible person, a free place in the class and in its quota.
    Entered by an institution for a person it does not reach: a pending enrolment (above)."""
    if source != Enrolment.Source.SELF:  # the person's own enrolment is checked by its caller (owner)
        require_permission(by, "registry.enrolment.create", training_class)
    if barred := institution_bar_reason(training_class.institution, "training"):
        raise RegistryError(barred, code="INSTITUTION_BARRED")
    if training_class.status not in ENROLLING_STATUSES:
        raise RegistryError(f"该班级状态为“{training_class.get_status_display()}”，不能报名。", code="CLASS_CLOSED")
    pending = source != Enrolment.Source.SELF and not institution_reaches(person, training_class.institution_id)
    if pending:
        decision = {}
    else:
        decision = decision if decision is not None else rules.evaluate_person(person, training_class)
        if not decision["eligible"] and training_class.mode != TrainingClass.Mode.MARKET:
            raise NotEligible(decision)
    with transaction.atomic():
        klass = TrainingClass.objects.select_for_update().get(pk=training_class.pk)  # capacity: one enrolment at a time
        if Enrolment.objects.filter(training_class=klass, person=person).exists():
            raise RegistryError("此人已在本班名单中。", code="ALREADY_ENROLLED")
        if Enrolment.objects.filter(training_class=klass, status__in=ACTIVE_ENROLMENT).count() >= klass.capacity:
            raise RegistryError(f"班级已满（容量 {klass.capacity} 人）。", code="CLASS_FULL")
        if klass.quota_id and not pending:
            quota_take(klass.quota_id)
        enrolment = Enrolment.objects.create(
            training_class=klass, person=person, source=source,
            status=Enrolment.Status.APPLIED if pending else Enrolment.Status.ENROLLED,
            eligible=decision.get("eligible"), eligibility=decision,
        )
        audit_record("registry.enrolment.create", obj=enrolment, division_code=klass.division_id,
                     organisation_id=klass.institution_id,
                     after={"class": klass.pk, "person": person.pk, "source": source, "pending_consent": pending,
                            "eligible": decision.get("eligible"), "reasons": [r["code"] for r in decision.get("reasons", [])]})
    return enrolment


def enrolment_confirm(enrolment: Enrolment, *, user, text: str, ip: str = "") -> Enrolment:
    """The person confirms a pending enrolment: the pack decides eligibility now, the plan
    quota is taken and the written commitment signed, all or nothing."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("training_class__institution", "person").get(
            pk=enrolment.pk)
        if user is None or enrolment.person.user_id != user.pk:
            raise RegistryError("只能由学员本人确认报名。", code="NOT_OWNER")
        if enrolment.status != Enrolment.Status.APPLIED:
            raise RegistryError("该报名无需确认。", code="BAD_STATUS")
        klass = enrolment.training_class
        decision = rules.evaluate_person(enrolment.person, klass)
        if not decision["eligible"] and klass.mode != TrainingClass.Mode.MARKET:
            raise NotEligible(decision)
        if klass.quota_id:
            quota_take(klass.quota_id)
        enrolment.status, enrolment.eligible, enrolment.eligibility = Enrolment.Status.ENROLLED, decision["eligible"], decision
        enrolment.save(update_fields=["status", "eligible", "eligibility"])
        audit_record("registry.enrolment.confirm", obj=enrolment, before={"status": Enrolment.Status.APPLIED},
                     after={"status": enrolment.status, "eligible": decision["eligible"]},
                     division_code=klass.division_id, organisation_id=klass.institution_id)
        commitment_sign(enrolment, text=text, ip=ip, user=user)
    return enrolment


def enrolment_decline(enrolment: Enrolment, *, user=None, reason: str = "") -> None:
    """The person declines (user given) or the institution cancels a pending enrolment: the
    row goes, so no later status change can turn it into access."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("training_class", "person").get(pk=enrolment.pk)
        if user is not None and enrolment.person.user_id != user.pk:
            raise RegistryError("只能由学员本人拒绝报名。", code="NOT_OWNER")
        if enrolment.status != Enrolment.Status.APPLIED:
            raise RegistryError("只有待本人确认的报名可以拒绝或撤销。", code="BAD_STATUS")
        audit_record("registry.enrolment.decline", obj=enrolment, before={"status": enrolment.status},
                     after={"by": "person" if user is not None else "institution", "reason": reason},
                     division_code=enrolment.training_class.division_id,
                     organisation_id=enrolment.training_class.institution_id)
        enrolment.delete()


def enrolment_withdraw(enrolment: Enrolment, *, reason: str = "", by=None) -> Enrolment | None:
    require_permission(by, "registry.enrolment.withdraw", enrolment)
    if enrolment.status == Enrolment.Status.APPLIED:  # never withdrawn (a consented status): cancelled
        enrolment_decline(enrolment, reason=reason)
        return None
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("training_class").get(pk=enrolment.pk)
        if enrolment.status not in (Enrolment.Status.APPLIED, Enrolment.Status.ENROLLED):
            raise RegistryError("只有报名中或已录取的学员可以退出。", code="BAD_STATUS")
        before = enrolment.status
        enrolment.status = Enrolment.Status.WITHDRAWN
        enrolment.save(update_fields=["status"])
        if enrolment.training_class.quota_id:
            quota_release(enrolment.training_class.quota_id)
        audit_record("registry.enrolment.withdraw", obj=enrolment, before={"status": before},
                     after={"status": enrolment.status, "reason": reason},
                     division_code=enrolment.training_class.division_id,
                     organisation_id=enrolment.training_class.institution_id)
    return enrolment


# --- the written commitment (告知承诺) ----------------------------------------------------------


def commitment_text(person: Person, training_class: TrainingClass) -> str:
    k = training_class
    return (
        "告知承诺书\n"
        f"本人 {person.name}（身份证号 {person.masked_id_number}）报名参加 {k.institution.name} 举办的"
        f"“{k.title}”（{k.occupation.name}·{k.get_level_display()}，{k.start_date.isoformat()} 至 {k.end_date.isoformat()}），"
        "郑重承诺：\n"
        "一、本人已知悉本项目培训、考核及补贴的有关规定和要求；\n"
        "二、本人符合参加本次培训和申报专业技术等级考核的条件；\n"
        "三、本人提交的个人信息和材料真实、准确、完整；\n"
        "四、本人愿意接受有关部门的核查，如有不实，自愿承担相应责任。"
    )


def commitment_sign(enrolment: Enrolment, *, text: str, ip: str = "", user=None) -> Commitment:
    """Keep exactly the text the trainee signed, its SHA-256, the time and the IP."""
    expected = commitment_text(enrolment.person, enrolment.training_class)
    if text.replace("\r\n", "\n") != expected:
        raise RegistryError("承诺书文本与平台提供的文本不一致，请刷新后重新签署。", code="COMMITMENT_TEXT_CHANGED")
    if user is not None and enrolment.person.user_id and enrolment.person.user_id != user.pk:
        raise RegistryError("只能由学员本人签署承诺书。", code="NOT_OWNER")
    digest = hashlib.sha256(expected.encode("utf-8")).hexdigest()
    with transaction.atomic():
        commitment = Commitment.objects.create(enrolment=enrolment, text=expected, text_sha256=digest,
                                               signed_at=timezone.now(), ip=ip or "", signed_by=user)
        audit_record("registry.commitment.sign", obj=commitment, ip=ip or None,
                     division_code=enrolment.training_class.division_id,
                     organisation_id=enrolment.training_class.institution_id,
                     after={"enrolment": enrolment.pk, "sha256": digest})
    return commitment


def trainee_enrol_and_sign(training_class: TrainingClass, person: Person, *, text: str, ip: str = "", user=None):
    """The public path: enrol in an announced class and sign the commitment, both or neither."""
    with transaction.atomic():
        enrolment = enrolment_create(training_class, person, source=Enrolment.Source.SELF)
        commitment_sign(enrolment, text=text, ip=ip, user=user)
    return enrolment
