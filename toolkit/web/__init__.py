"""The web app: the report as a live form for the clerk, over the application layer like the CLI.

``application`` is the only module here that calls ``toolkit.api``; ``form`` lays out the form from
the format data, ``document`` turns a report into form fields and back, ``storage`` keeps every saved
version in SQLite, ``uploads`` and ``downloads`` carry files in and out, ``routes`` answers requests,
``app`` assembles them and ``server`` runs them.
"""

from .app import create_app

__all__ = ["create_app"]
