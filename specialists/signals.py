"""What other parts of the product may listen to (sent after the transaction commits).

`specialist_licensed(sender=SpecialistLicense, license=..., specialist=...)`: an organisation licensed a
specialist model. The notifications work (mailing the provider) connects here; nothing in this app waits on it.
"""
from django.dispatch import Signal

specialist_licensed = Signal()
