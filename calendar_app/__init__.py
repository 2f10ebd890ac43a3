"""Commemoration calendar: Azerbaijan's memorial days, their anniversaries and reminders.

Importing the package has no side effects and loads nothing: the application is
built by ``calendar_app.app.create_app``; the pure core is ``calendar_app.core``.
"""
