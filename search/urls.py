from django.urls import path

from search import site_views, views

urlpatterns = [
    path("tilbud/", views.offer_search, name="offer_search"),
    path("sok/", site_views.site_search, name="site_search"),
    path("sok/forslag/", site_views.site_suggest, name="site_suggest"),
]
