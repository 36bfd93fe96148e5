"""hello-python: an HTTP API function (GET /hello/{name}) on the python3.12 runtime.

Through the gateway the name comes from the path parameter; called with the Invoke API it comes
from the event's "name", else it is "world".
"""

import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    name = (event.get("pathParameters") or {}).get("name") or event.get("name") or "world"
    logger.info("greeting %s", name)
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": f"hello {name}"}),
    }
