"""The domain: the product's rules and services. Plain Python: no web framework, no routes."""
