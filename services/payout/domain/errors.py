"""What can go wrong in payout, under one root."""


class PayoutError(Exception):
    """A payout command cannot be carried out."""


class NotFoundError(PayoutError):
    """An id names nothing this tenant owns."""


class InvalidRequestError(PayoutError):
    """A request payout must refuse (a period not closed yet, bad bank data …)."""
