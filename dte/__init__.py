"""Digital Technology Engineer Cultivation Project platform (数字技术工程师培育项目)."""

from .celery_app import app as celery_app

__all__ = ["celery_app"]
