"""Where the product runs: on AWS through CDK (`cdk_app.py`, `stacks/`), or locally (`local/`).

`local/` is the whole product on one machine on moto and deploys nothing. `resources.py`
holds the settings both halves give the same resources (queue retries, upload expiry,
password length), so a local run behaves like a deployment.
"""
