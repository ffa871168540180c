"""``kg serve``: the graph on the web.  ``state`` holds what the routes share,
``app`` builds the routes; one module per kind of page (``pages``, ``sparql``,
``recommend``), the query worker pool (``worker``) and what its queries can
reach (``sandbox``), content negotiation (``negotiation``), connection limits
(``connections``), headers and caching (``middleware``), a bounded log
(``logs``) and the error messages in both languages (``messages``).

May import: every part below it (kg.core to kg.release); nothing imports it but kg.cli.
"""
