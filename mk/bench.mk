# Benchmarks of the server as a whole. They print figures and ratios; none of them is a test.
.PHONY: bench-hello bench-isolation bench-memory bench-heavy bench-generators

bench-hello: build ## wrk on /hello: this server vs a bare uWS server, each pinned to one CPU, ratio printed
	scripts/tools.sh wrk
	node dist/bench/hello.js

bench-isolation: build ## /hello latency while heavy work saturates one CPU, per engine x mode (vegeta)
	scripts/tools.sh vegeta
	node dist/bench/isolation.js

bench-memory: build ## Peak RSS with the pool at default size and requests at the caps
	node dist/bench/memory.js

bench-heavy: build ## The seed's default heavy request per engine through the server: median total/cpu time
	node dist/bench/heavy.js

bench-generators: build ## Each open-model generator's own /hello ceiling on one core (pacer, oha, vegeta, h2load) against the bare uWS peer
	scripts/tools.sh vegeta oha h2load
	@$(MAKE) --no-print-directory pacer
	node dist/bench/generators.js
