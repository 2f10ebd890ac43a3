"""Records and their storage: the data file format, models, the queries, sync."""
