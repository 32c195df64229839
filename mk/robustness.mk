# HTTP robustness of the server (issue 13): hostile and unusual clients on raw sockets against the
# real server, under the real 1 CPU / 256 MiB cgroup where memory matters. About a minute.
.PHONY: test-robustness

TEST_PARTS += test-robustness

test-robustness: build ## End to end: slow readers, pipelining, HTTP/1.0, HEAD, half-close, smuggling, slowloris... against the constrained server
	node --test --test-concurrency=1 dist/server/robustness.e2e.js
