"""API v1 of the chart layer: a stored chart (charts.py) and the funnel-plot comparison
(comparison.py). mhsip/api_urls.py routes these two views."""

from .charts import ChartApi
from .comparison import ComparisonApi

__all__ = ["ChartApi", "ComparisonApi"]
