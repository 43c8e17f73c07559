"""Re-check released models after a safety change: `manage.py recheck_released_models [--now]`.

Without --now, queues each due re-check on the training queue (as the hourly beat entry does);
with --now, runs them here, one after another, and prints each verdict."""
from django.core.management.base import BaseCommand

from evaluation import services


class Command(BaseCommand):
    help = "Re-evaluate released models whose evaluation ran under other safety suites, guard or platform base."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run the re-checks in this process")

    def handle(self, *args, now: bool = False, **options):
        if not now:
            queued = services.evaluation_rechecks_queue()
            self.stdout.write(f"queued {len(queued)} re-check(s): {', '.join(queued) or '-'}")
            return
        for job in services.evaluation_rechecks_due():
            run = services.evaluation_recheck(job=job)
            job.refresh_from_db()
            self.stdout.write(f"{job.fine_tuned_model}: {run.outcome} (model {job.model_status})")
