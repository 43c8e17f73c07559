from rest_framework import serializers


class PaymentMethodIn(serializers.Serializer):
    payment_method = serializers.CharField(max_length=100)

class LicenseIn(serializers.Serializer):
    plan = serializers.CharField(max_length=40)

class CancelIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
