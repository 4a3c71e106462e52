"""Deployment: the production CDK app and the local stack on moto."""
