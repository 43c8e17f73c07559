from django.urls import path

from . import api

urlpatterns = [
    path("listings", api.ListingListView.as_view(), name="listings"),
    path("listings/<str:listing_id>", api.ListingDetailView.as_view(), name="listing-detail"),
    path("listings/<str:listing_id>/publish", api.ListingPublishView.as_view(), name="listing-publish"),
    path("listings/<str:listing_id>/unpublish", api.ListingUnpublishView.as_view(), name="listing-unpublish"),
    path("listings/<str:listing_id>/domain_eval_set", api.ListingDomainEvalSetView.as_view(),
         name="listing-domain-eval-set"),
    path("providers", api.ProviderListView.as_view(), name="providers"),
    path("providers/<str:provider_id>", api.ProviderDetailView.as_view(), name="provider-detail"),
    path("providers/<str:provider_id>/reviews", api.ProviderReviewListView.as_view(), name="provider-reviews"),
    path("provider/listings", api.ProviderOwnListingsView.as_view(), name="provider-listings"),
    path("provider/reviews", api.ProviderReviewsView.as_view(), name="provider-reviews-own"),
    path("provider/reviews/<str:review_id>/response", api.ProviderReviewResponseView.as_view(),
         name="provider-review-response"),
    path("provider/jobs", api.ProviderJobListView.as_view(), name="provider-jobs"),
    path("provider/jobs/<str:job_id>", api.ProviderJobDetailView.as_view(), name="provider-job-detail"),
    path("provider/jobs/<str:job_id>/accept", api.ProviderJobAcceptView.as_view(), name="provider-job-accept"),
    path("provider/jobs/<str:job_id>/decline", api.ProviderJobDeclineView.as_view(), name="provider-job-decline"),
    # POST /v1/fine_tuning/jobs/{id}/reviews is routed once, by tuning/urls.py, to api.JobReviewCreateView.
]
