"""Where things are, offline: country outlines, their centroids and the country of an
actor's name.

``world`` reads the Natural Earth country outlines shipped in this package (the
``world-atlas`` 2.0.2 TopoJSON files, ISC licence, Natural Earth 4.1.0, public domain:
``WORLD-ATLAS-LICENSE.txt``) and computes each country's centroid; ``placement`` turns an
actor's name into a country (country-converter's name table, SIPRI's "(country)"
notation, a short table of documented overrides) and places actors, the seed's explicit
places first. Pure functions, no database and no Streamlit; see docs/dashboard.md (Map).
"""
