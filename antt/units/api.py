from __future__ import annotations

from rest_framework import serializers, viewsets

from antt.units.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "subtype", "valid_from", "valid_to"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    lookup_field = "code"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Unit.objects.visible_to(self.request.user)
