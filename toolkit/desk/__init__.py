"""The 政务公开办's desk: collect every body's report, gate it, review it, sum the region.

A library over the application layer, on a real database (SQLite by default, PostgreSQL for a
province): ``region`` (the tree from the agency list), ``accounts`` (passwords, sessions, login
limit), ``access`` (who sees what), ``workflow`` (the status machine), ``filing`` (save, submit,
review), ``audit`` (the append-only log), ``dashboard``, ``sums`` and ``exports``. The command line
(``govreport desk``) and the web pages present what these return.
"""
