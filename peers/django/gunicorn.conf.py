"""gunicorn settings of seed 001's Dockerfile: 4 workers x 2 threads, timeout 120 s.

`--workers 4 --threads 2 --timeout 120` as in the seed; more than one thread makes gunicorn use
its `gthread` worker. The seed binds 0.0.0.0:8000 inside its container; here HOST:PORT (loopback
by default), as every other service of the lab. Like the seed, no access log.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = 4
threads = 2
timeout = 120
wsgi_app = "loadtest_project.wsgi:application"
# The project's folder, wherever gunicorn is started from (the Makefile starts it from the root).
chdir = os.path.dirname(os.path.abspath(__file__))
# gunicorn >= 25 opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn/ by default: one path
# shared by every instance of the user. The seed's gunicorn had none, and nothing here uses it.
control_socket_disable = True
