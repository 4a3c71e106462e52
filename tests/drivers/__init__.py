"""How tests drive the product, shared across test modules and kinds; fixtures stay in conftest.py.

`api` calls the Chalice app in-process (sign-up, interviews, a candidate, a team), `worker`
runs the media worker's handler on queued S3 events, `local_stack` starts and calls
`python -m infra.local`, `chromium` launches the browser, `candidate_site` and `console` are
the browser tests' steps, `media` makes clips and reads what the worker produced, `cdk` reads
synthesized templates, `config` is a valid set of deployment settings, `packages` builds
each Lambda's deployment package and runs its handlers from it alone (`lambda_runtime`).
"""
