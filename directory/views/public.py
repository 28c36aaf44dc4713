"""Public pages of the catalogue: the offer page and its printable handout."""

urlpatterns: list = []
