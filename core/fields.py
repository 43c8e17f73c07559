"""Serializer fields every API shares."""
from __future__ import annotations

import math

from rest_framework import serializers


class FiniteFloatField(serializers.FloatField):
    """A float that must be a real number: "nan", "inf" and "-inf" are refused (a FloatField takes them,
    and every comparison with NaN is false, so min_value/max_value would let it through)."""

    default_error_messages = {"not_finite": "A finite number is required."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value
