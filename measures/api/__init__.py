"""API v1 of the measures layer, one module per resource: the catalogue and programmes,
weekly returns, the bulk upsert, change ideas and their PDSA cycles. Each view calls one
selector or service."""

from .bulk import ReturnBulkApi
from .catalogue import MeasureDetailApi, MeasureListApi, ProgrammeDetailApi, ProgrammeListApi
from .change_ideas import ChangeIdeaDetailApi, ChangeIdeaListApi
from .pdsa_cycles import PdsaCycleDetailApi, PdsaCycleListApi
from .returns import ReturnDetailApi, ReturnListApi

__all__ = [
    "ChangeIdeaDetailApi", "ChangeIdeaListApi", "MeasureDetailApi", "MeasureListApi",
    "PdsaCycleDetailApi", "PdsaCycleListApi", "ProgrammeDetailApi", "ProgrammeListApi",
    "ReturnBulkApi", "ReturnDetailApi",
    "ReturnListApi",
]  # fmt: skip
