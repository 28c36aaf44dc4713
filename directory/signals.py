"""Signals the catalogue sends so that other apps (search) can follow changes without
directory/ importing them."""

from django.db import transaction
from django.dispatch import Signal

# Sent with offer_ids=[...] whenever an offer's public content or visibility may have changed,
# including bulk updates that bypass model signals (the freshness sweep).
offers_changed = Signal()


def announce_offers_changed(offer_ids) -> None:
    """Send offers_changed once the current transaction has committed."""
    ids = list(offer_ids)
    if ids:
        transaction.on_commit(lambda: offers_changed.send(sender=None, offer_ids=ids))
