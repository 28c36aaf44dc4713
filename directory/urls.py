from directory.views import grants, min_side, moderation, notifications, prevention, public

urlpatterns = [
    *public.urlpatterns,
    *min_side.urlpatterns,
    *moderation.urlpatterns,
    *notifications.urlpatterns,
    *grants.urlpatterns,
    *prevention.urlpatterns,
]
