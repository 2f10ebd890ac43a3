"""Error responses: JSON ``{"error", "detail"}`` under /api/, localized pages elsewhere."""

from __future__ import annotations

from flask import Flask, Response, json, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"


def error_slug(error: HTTPException) -> str:
    """'not_found', 'bad_request', 'method_not_allowed', 'internal_server_error'."""
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


def json_response(data: object, status: int = 200) -> Response:
    """UTF-8 JSON with the letters of az and ru as they are, not as \\u escapes."""
    body = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return Response(body, status=status, mimetype="application/json")


def json_error(status: int, error: str, detail: str) -> Response:
    return json_response({"error": error, "detail": detail}, status)


def _page_texts(error: HTTPException) -> tuple[str, str]:
    """The localized heading and explanation; our own descriptions are already localized."""
    code = error.code or 500
    if isinstance(error, CSRFError):  # Flask-WTF's English reason is not for readers
        return gettext("This form has expired"), gettext("Reload the page and send the form again.")
    headings = {
        400: gettext("This address is not quite right"),
        404: gettext("Page not found"),
        405: gettext("This page cannot be used that way"),
    }
    heading = headings.get(code, gettext("Something went wrong on our side"))
    own = error.description and error.description != type(error).description
    if code == 500 or not own:
        generic = {
            400: gettext("The address contains a value the site does not understand."),
            404: gettext("There is no page at this address. It may have been moved."),
            405: gettext("This address only answers ordinary page requests."),
        }
        detail = generic.get(code, gettext("Please try again in a few minutes."))
    else:
        detail = str(error.description)
    return heading, detail


def handle_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if request_ctx.url_adapter is None:  # a Host header no URL can be built for ("a..b")
        return Response("Bad Request: the Host header is not a valid host name.\n", 400,
                        mimetype="text/plain")  # fmt: skip
    if request.path.startswith(API_PREFIX):
        response = json_error(code, error_slug(error), str(error.description or error.name))
    else:
        heading, detail = _page_texts(error)
        body = render_template("errors/error.html", code=code, heading=heading, detail=detail)
        response = Response(body, status=code, mimetype="text/html")
    allowed = getattr(error, "valid_methods", None)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def init_app(app: Flask) -> None:
    # Unhandled exceptions reach this handler as InternalServerError (an HTTPException).
    app.register_error_handler(HTTPException, handle_http_error)
