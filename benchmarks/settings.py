"""Settings for the benchmarks: the test settings plus the stock-Wagtail search baseline."""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.baseline"]
