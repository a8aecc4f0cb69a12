"""Base views of the API (apart from mhsip.api, which the REST_FRAMEWORK settings name and so
must not import DRF's generic views)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.generics import GenericAPIView


class ListView(GenericAPIView):
    """A scoped, filtered, paginated list. Subclasses give `get_queryset` (through
    wards.access), a django-filter `filterset_class` and a nested `OutputSerializer`."""

    filter_backends = [DjangoFilterBackend]

    def get_serializer_class(self):
        return self.OutputSerializer

    def list_response(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.OutputSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)
