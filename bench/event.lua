-- wrk: an Event (asynchronous) Invoke of '{}' (bench/async_events.py).
wrk.method = "POST"
wrk.body   = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Amz-Invocation-Type"] = "Event"
