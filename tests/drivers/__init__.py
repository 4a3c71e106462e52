"""How tests drive the product, shared across test modules and kinds (one module per part).

Fixtures stay in each kind's conftest.py; what two test modules both call lives here.
"""
