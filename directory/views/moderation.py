"""The moderation queue for Nav staff (internal: behind MFA)."""

urlpatterns: list = []
