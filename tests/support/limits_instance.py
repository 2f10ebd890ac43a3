"""One app instance in its own process posting sign-ups; prints the status codes as JSON.

`python -m tests.support.limits_instance DATABASE_URL INSTANCE STORAGE_URI IP:EMAIL ...`:
used by tests/web/test_limits_redis.py so that two instances share nothing but the
rate-limit storage (the limiter is one object per process).
"""

from __future__ import annotations

import json
import sys

from calendar_app.app import create_app
from tests.support.site import post_signup


def main(arguments: list[str]) -> None:
    database_url, instance, storage_uri, *posts = arguments
    app = create_app(
        {
            "database": {"url": database_url},
            "mail": {"backend": "file", "outbox_dir": f"{instance}/outbox"},
            "site": {"default_language": "en"},
            "limits": {"enabled": True, "storage_uri": storage_uri},
        },
        instance_path=instance,
    )
    codes = []
    for post in posts:
        client_ip, email = post.split(":", 1)
        codes.append(post_signup(app, email, client_ip))
    print(json.dumps(codes))


if __name__ == "__main__":
    main(sys.argv[1:])
