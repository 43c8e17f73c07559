from django.urls import path

from . import api

urlpatterns = [
    path("specialist_models", api.SpecialistListView.as_view(), name="specialist-models"),
    path("specialist_models/licenses", api.SpecialistLicenseListView.as_view(), name="specialist-licenses"),
    path("specialist_models/<str:specialist_id>", api.SpecialistDetailView.as_view(), name="specialist-model"),
    path("specialist_models/<str:specialist_id>/card", api.SpecialistCardView.as_view(), name="specialist-card"),
    path("specialist_models/<str:specialist_id>/licenses", api.SpecialistLicenseCreateView.as_view(),
         name="specialist-license-create"),
    path("specialist_models/<str:specialist_id>/withdraw", api.SpecialistWithdrawView.as_view(),
         name="specialist-withdraw"),
    path("specialist_models/<str:specialist_id>/usage", api.SpecialistUsageView.as_view(), name="specialist-usage"),
]
