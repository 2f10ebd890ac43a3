"""E-mail: message building (templates) and delivery backends (smtp, file, console)."""
