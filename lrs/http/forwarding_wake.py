"""Wake this process's forwarding thread after a client stored statements (hooked onto the xAPI blueprint).

The statements are already queued in the storing transaction; this only shortens the wait for delivery.
"""

from __future__ import annotations

from flask import Response, current_app, g, request

from lrs.http.views import bp

STORING = frozenset({"xapi.post_statements", "xapi.put_statement"})


@bp.after_request
def wake_forwarding(response: Response) -> Response:
    """After a successful statement write, let the forwarder deliver it soon if the credential forwards."""
    credential = g.get("lrs_credential")
    if credential is not None and request.endpoint in STORING and response.status_code < 300:
        current_app.extensions["lrs"].forwarder.notify(credential.key)
    return response
