from django.db import connection

from search.backends.base import SearchBackend

# Full-text search needs these extensions and the Norwegian text search configuration.
REQUIRED_EXTENSIONS = ("pg_trgm", "unaccent")


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def health(self) -> dict:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT extname FROM pg_extension WHERE extname = ANY(%s)",
                    [list(REQUIRED_EXTENSIONS)],
                )
                installed = {row[0] for row in cursor.fetchall()}
                cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'norwegian'")
                has_norwegian = cursor.fetchone() is not None
        except Exception as exc:
            return {"status": "error", "backend": self.name, "detail": exc.__class__.__name__}
        missing = [ext for ext in REQUIRED_EXTENSIONS if ext not in installed]
        if missing or not has_norwegian:
            return {
                "status": "error",
                "backend": self.name,
                "detail": "mangler: "
                + ", ".join(missing + ([] if has_norwegian else ["norwegian"])),
            }
        return {"status": "ok", "backend": self.name}
