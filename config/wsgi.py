import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process. Frozen,
# it is left out of the garbage collector's full passes, which would otherwise walk all of it
# every so many requests: a pause of tens of milliseconds on whichever request triggers it.
gc.freeze()
