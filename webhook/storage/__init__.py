"""The storage layer: the connection, the migrations and every SQL statement; plain dicts in and out."""
