"""Pages of the reservations app: ``booking`` (citizens and telephone booking) and
``counter`` (the day's queue, display board, receipts) and ``kiosk`` (the check-in tablet)."""
