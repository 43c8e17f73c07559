from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.forms import AdminLoginForm
from core.views import favicon, healthz

handler400 = "core.errors.handler400"
handler403 = "core.errors.handler403"
handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("marketplace.urls")),
    path("", include("payments.urls")),
    path("", include("tuning.urls")),
    path("", include("evaluation.urls")),
    path("", include("specialists.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("favicon.svg", favicon),
    path("admin/", admin.site.urls),
    path("v1/", include(api_v1)),
    path("", include("marketplace.pages")),
    path("", include("payments.pages")),
    path("", include("tuning.pages")),
    path("", include("evaluation.pages")),
    path("", include("notifications.pages")),
    path("", include("specialists.pages")),
]

# The admin's login goes through the same lockout and audit as the API and /login/ (accounts/backends.py).
admin.site.login_form = AdminLoginForm
admin.site.site_header = "Tunemarket administration"
admin.site.site_title = "Tunemarket admin"
admin.site.index_title = "Vetting, review and operations"
# Reviewers work from wide changelists (queues with many columns); the home page lists every model.
admin.site.enable_nav_sidebar = False
