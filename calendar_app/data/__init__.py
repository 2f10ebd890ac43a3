"""Records and their storage: the data file format, models, every SELECT, sync."""
