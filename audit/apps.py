from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The top layer: pages and commands about the whole system (the home page, the audit
    log, the health checks, the demo data set). It may import every other app; none imports
    it (import-linter's layers contract in pyproject.toml)."""

    name = "audit"
    verbose_name = "Whole system: home page, audit log, health checks"
