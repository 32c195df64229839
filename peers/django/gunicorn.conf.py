"""gunicorn settings of seed 001's Dockerfile: 4 workers x 2 threads, timeout 120 s.

`--workers 4 --threads 2 --timeout 120` as in the seed; more than one thread makes gunicorn use
its `gthread` worker. The seed binds 0.0.0.0:8000 inside its container; here HOST:PORT, as every
other service of the lab. Like the seed, no access log.

HOST and PORT have no defaults here: whoever starts the peer (make run-peer, run-constrained,
compare, the peers' e2e test) sets both, from the lab's one table of defaults (server/config.ts,
through `node dist/lab/cli.js`).
"""

import os

try:
    bind = f"{os.environ['HOST']}:{os.environ['PORT']}"
except KeyError as unset:
    raise SystemExit(
        f"gunicorn.conf.py: {unset.args[0]} is not set (make run-peer PEER=django sets HOST and PORT)"
    ) from None
workers = 4
threads = 2
timeout = 120
wsgi_app = "loadtest_project.wsgi:application"
# The project's folder, wherever gunicorn is started from (the Makefile starts it from the root).
chdir = os.path.dirname(os.path.abspath(__file__))
# gunicorn >= 25 opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn/ by default: one path
# shared by every instance of the user. The seed's gunicorn had none, and nothing here uses it.
control_socket_disable = True
