from directory.views import min_side, moderation, public

urlpatterns = [*public.urlpatterns, *min_side.urlpatterns, *moderation.urlpatterns]
