"""What accounts tells the apps above it, without importing them (accounts sits below every app)."""
from django.dispatch import Signal

# Sent after commit when a provider may no longer work (its application is suspended): kwargs
# `organization` and `reason`. tuning ends the jobs still waiting for that provider's answer.
provider_suspended = Signal()
