from django.urls import path

from . import api, pages

# Under /v1/ (config/urls.py includes this module there).
urlpatterns = [
    path("fine_tuning/jobs/<str:job_id>/evaluation", api.JobEvaluationView.as_view(), name="fine-tuning-job-evaluation"),
    path("models/<str:model_id>/card", api.ModelCardView.as_view(), name="model-card"),
    path("transparency", api.TransparencyView.as_view(), name="transparency"),
]

# Server-rendered pages, at the site root: config/urls.py has `path("", include("evaluation.pages"))`.
pages_urlpatterns = pages.urlpatterns
