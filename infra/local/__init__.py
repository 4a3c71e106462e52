"""The local stack: the whole product on one machine on moto (`python -m infra.local`).

Nothing here deploys to AWS (that half is `infra/cdk_app.py` and `infra/stacks/`):
`stack.py` starts and stops the pieces, `provisioning.py` is local AWS (moto and the
resources on it), `server.py` the one origin (API, sites, dev outbox), `pollers.py` the
event sources moto lacks, `seed.py` the demo data, `__main__.py` the command line.
"""
