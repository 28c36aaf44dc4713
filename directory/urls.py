from directory.views import min_side, moderation, notifications, public

urlpatterns = [
    *public.urlpatterns,
    *min_side.urlpatterns,
    *moderation.urlpatterns,
    *notifications.urlpatterns,
]
