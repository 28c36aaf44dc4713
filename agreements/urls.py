from agreements.views import agreements, calendar, dashboard, evaluations

urlpatterns = [
    *dashboard.urlpatterns,
    *agreements.urlpatterns,
    *evaluations.urlpatterns,
    *calendar.urlpatterns,
]
