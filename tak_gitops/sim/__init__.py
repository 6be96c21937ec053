"""A reference TAK for tests and demos: SQLite storage, TAK-web order execution, TAK-api v2 read endpoints."""
