from django.urls import path

from search import views

urlpatterns = [
    path("tilbud/", views.offer_search, name="offer_search"),
]
