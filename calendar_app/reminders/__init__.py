"""Reminder e-mails: plan (pure) -> outbox (database) -> dispatch (SMTP) -> scheduler."""
