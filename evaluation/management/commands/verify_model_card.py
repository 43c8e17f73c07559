"""Verify a model card's signed manifest: `manage.py verify_model_card <file | job id | model id>`.

A file is a card as served by GET /v1/models/{id}/card (the signed JSON document). A job id
(ftjob-…) or model id (ft:…) verifies the stored card and also re-hashes the adapter files on
disk against the manifest. Exit status 0 when everything verifies, 1 otherwise.
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation import cards


class Command(BaseCommand):
    help = "Verify the signature of a model card (a JSON file, a job id or a fine-tuned model id)."

    def add_arguments(self, parser):
        parser.add_argument("target", help="path to a card JSON file, a job id (ftjob-…) or a model id (ft:…)")
        parser.add_argument("--artifacts", help="also check the adapter files in this directory")

    def handle(self, *args, target: str, artifacts: str | None = None, **options):
        artifact_dir = Path(artifacts) if artifacts else None
        path = Path(target)
        if path.is_file():
            document = path.read_bytes()
            label = str(path)
        else:
            document, stored_dir, label = self._stored(target)
            artifact_dir = artifact_dir or stored_dir
        result = cards.verify_document(document, artifact_dir=artifact_dir)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"FAIL {label}: {error}")
            raise CommandError(f"{label}: the model card does NOT verify.", returncode=1)
        m = result.manifest or {}
        self.stdout.write(
            f"OK {label}: card {m.get('card_sha256')} signed by {m.get('key_id')} at {m.get('signed_at')}; "
            f"gate passed={m.get('gate_passed')}; {len(m.get('artifact_files') or {})} artifact file(s)"
            + (" verified on disk." if artifact_dir else " listed (not checked on disk).")
        )

    def _stored(self, ref: str):
        from core.errors import NotFound
        from tuning import selectors as tuning_selectors
        from evaluation.models import ModelCard

        qs = ModelCard.objects.select_related("job")
        card = (qs.filter(job__public_id=ref) if ref.startswith("ftjob-") else qs.filter(job__fine_tuned_model=ref)).first()
        if card is None:
            raise CommandError(f"No file and no stored model card for {ref!r}.")
        try:
            artifact_dir = tuning_selectors.job_artifact_path(card.job)
        except NotFound:
            artifact_dir = None
        return card.document.encode("utf-8"), artifact_dir, ref
