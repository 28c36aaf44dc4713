"""Min side: organisation representatives manage their organisations and offers."""

urlpatterns: list = []
