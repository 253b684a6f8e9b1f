"""Claim lines' parameters and trace stored once per distinct decision (ClaimExplanation), not
several kilobytes per line (issue 10: 100,000 trainees' claims). Existing lines keep exactly their
parameters and trace: they are moved into explanations keyed by the digest of their content."""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models

import dte.subsidy.models


def _digest(parameters, trace) -> str:  # = dte.subsidy.models.explanation_digest, frozen here
    canonical = json.dumps({"parameters": parameters, "trace": trace}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def forwards(apps, schema_editor):
    ClaimLine, ClaimExplanation = apps.get_model("subsidy", "ClaimLine"), apps.get_model("subsidy", "ClaimExplanation")
    seen: set[str] = set()
    by_digest: dict[str, list[int]] = {}
    for pk, parameters, trace in ClaimLine.objects.order_by("pk").values_list("pk", "parameters", "trace").iterator(chunk_size=2000):
        if not parameters and not trace:
            continue
        digest = _digest(parameters, trace)
        if digest not in seen:
            seen.add(digest)
            ClaimExplanation.objects.create(digest=digest, parameters=parameters, trace=trace)
        by_digest.setdefault(digest, []).append(pk)
    for digest, pks in by_digest.items():
        for i in range(0, len(pks), 5000):
            ClaimLine.objects.filter(pk__in=pks[i:i + 5000]).update(explanation_id=digest)
    if schema_editor.connection.vendor == "postgresql":  # check the deferred keys now, before the columns are dropped
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def backwards(apps, schema_editor):
    ClaimLine, ClaimExplanation = apps.get_model("subsidy", "ClaimLine"), apps.get_model("subsidy", "ClaimExplanation")
    for explanation in ClaimExplanation.objects.iterator(chunk_size=200):
        ClaimLine.objects.filter(explanation_id=explanation.digest).update(parameters=explanation.parameters,
                                                                           trace=explanation.trace)


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0002_ledger_append_only")]

    operations = [
        migrations.CreateModel(
            name="ClaimExplanation",
            fields=[
                ("digest", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("parameters", dte.subsidy.models.ExplanationField(default=list)),
                ("trace", dte.subsidy.models.ExplanationField(default=list)),
            ],
        ),
        migrations.AddField(
            model_name="claimline",
            name="explanation",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="subsidy.claimexplanation"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="claimline", name="parameters"),
        migrations.RemoveField(model_name="claimline", name="trace"),
    ]
