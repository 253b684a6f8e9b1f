"""Permission-checked downloads of stored files that have no page of their own (training evidence)."""

from django.contrib.auth.decorators import login_required

from dte.organisations.scoping import get_scoped_or_404

from .files import protected_file_response


@login_required
def evidence_file(request, pk: int):
    from dte.training.models import SessionEvidence

    evidence = get_scoped_or_404(request.user, SessionEvidence.objects.select_related("session__training_class"), pk=pk)
    klass = evidence.session.training_class
    return protected_file_response(request.user, evidence, evidence.file, filename=evidence.original_name,
                                   division_code=klass.division_id, organisation_id=klass.institution_id)
