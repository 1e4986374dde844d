"""``corridors explore``: watch and steer a negotiation in the browser (Mesa's SolaraViz parts).

The library half (:mod:`.session`, :mod:`.ensemble`, :mod:`.figures`) needs only the core
dependencies; :mod:`.app` and :mod:`.server` need the ``explore`` extra (Solara) and are
imported only when the app starts, so ``corridors --help`` never loads Solara.
"""
