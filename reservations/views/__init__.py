"""Pages of the reservations app: ``booking`` (citizens and telephone booking) and
``counter`` (the day's queue, kiosk, display board, receipts)."""
