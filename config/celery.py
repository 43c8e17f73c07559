"""The Celery app. Workers: `celery -A config worker -Q default,training` (see Makefile)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tunemarket")
app.config_from_object("django.conf:settings", namespace="CELERY")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
# A message is acknowledged only after its task returns; a worker killed mid-task lets it go back.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True
app.autodiscover_tasks()
