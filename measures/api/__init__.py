"""API v1 of the measures layer, one module per resource: the catalogue and programmes,
weekly returns, the bulk upsert, change ideas. Each view calls one selector or service."""

from .bulk import ReturnBulkApi
from .catalogue import MeasureDetailApi, MeasureListApi, ProgrammeDetailApi, ProgrammeListApi
from .change_ideas import ChangeIdeaDetailApi, ChangeIdeaListApi
from .returns import ReturnDetailApi, ReturnListApi

__all__ = [
    "ChangeIdeaDetailApi", "ChangeIdeaListApi", "MeasureDetailApi", "MeasureListApi",
    "ProgrammeDetailApi", "ProgrammeListApi", "ReturnBulkApi", "ReturnDetailApi",
    "ReturnListApi",
]  # fmt: skip
