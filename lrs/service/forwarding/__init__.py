"""Statement forwarding: what a credential stores is also sent to an external LRS its organisation runs.

Statements are queued in the transaction that stores them (lrs.store.forward_queue) and delivered afterwards
by a background thread per process or `flask lrs forward-flush`, so the target being down loses nothing.
"""

from lrs.service.forwarding.delivery import DeliveryReport, deliver_due
from lrs.service.forwarding.settings import ForwardSettings
from lrs.service.forwarding.targets import (
    VERSIONS,
    ForwardingError,
    TargetStatus,
    forwarding_status,
    retry_dead,
    set_forwarding,
    set_forwarding_active,
)
from lrs.service.forwarding.worker import Forwarder

__all__ = [
    "VERSIONS",
    "DeliveryReport",
    "ForwardSettings",
    "Forwarder",
    "ForwardingError",
    "TargetStatus",
    "deliver_due",
    "forwarding_status",
    "retry_dead",
    "set_forwarding",
    "set_forwarding_active",
]
