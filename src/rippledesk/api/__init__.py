"""The JSON API (django-ninja): everything the desk's UI does, for integrations and scripts.

``main`` builds the :class:`ninja.NinjaAPI`; each domain has its own router module. Reads and
writes go through the same ``access_*`` helpers and ``do_*`` actions as the web UI.
"""
