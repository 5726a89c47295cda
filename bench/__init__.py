"""The benchmark (`make bench`): bench.py drives Proofhook and bare_app.py with wrk."""
