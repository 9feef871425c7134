"""gunicorn's access log without what could identify a respondent.

gunicorn's stock access log keeps the client address, the user agent, the referrer and
the full request line (query string included) beside a second-precise time: together
with a station's knowledge of who was handed which code, enough to single a respondent
out. This logger class (named by survey_platform/gunicorn_conf.py) hands gunicorn only
private values, whatever ``access_log_format`` an operator writes:

* ``h`` (client address): "-" by default; with ``ACCESS_LOG_CLIENT_ADDRESS=truncate``
  its /24 (IPv4) or /48 (IPv6) network, taken through ``TRUSTED_PROXY_COUNT`` proxies;
* ``U`` and ``r``: the path with respondent keys replaced (logredact.py), no query string;
* ``q``, ``a`` (user agent), ``f`` (referrer), ``u`` (basic-auth user): "-";
* request headers, response headers (cookies!) and environ atoms (``{…}i/o/e``): none.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from survey_platform.settings.env import env_choice, env_int

from .logredact import redact_text, truncate_address

ADDRESS_MODES = ("omit", "truncate")


def address_mode() -> str:
    return env_choice("ACCESS_LOG_CLIENT_ADDRESS", "omit", ADDRESS_MODES)


def _forwarded_client(environ: dict[str, Any], trusted: int) -> str:
    # The same rule as core/addresses.py (which needs Django settings, absent here).
    remote = str(environ.get("REMOTE_ADDR", ""))
    if trusted <= 0:
        return remote
    chain = [p.strip() for p in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    chain = [p for p in chain if p]
    if not chain:
        return remote
    return chain[-trusted] if len(chain) >= trusted else chain[0]


def private_atoms(atoms: dict[str, Any], environ: dict[str, Any], mode: str) -> dict[str, Any]:
    """The atoms gunicorn computed, reduced to the private ones (see the module doc)."""
    kept = {key: value for key, value in atoms.items() if not key.startswith("{")}
    if mode == "truncate":
        trusted = env_int("TRUSTED_PROXY_COUNT", 0)
        kept["h"] = truncate_address(_forwarded_client(environ, trusted))
    else:
        kept["h"] = "-"
    path = redact_text(str(environ.get("PATH_INFO", "") or ""))
    method = str(environ.get("REQUEST_METHOD", "") or "")
    protocol = str(environ.get("SERVER_PROTOCOL", "") or "")
    kept.update(
        {
            "U": path,
            "r": f"{method} {path} {protocol}",
            "q": "-",
            "a": "-",
            "f": "-",
            "u": "-",
        }
    )
    return kept


class PrivateAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with the private atoms; the error log is gunicorn's own."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        return private_atoms(atoms, environ, address_mode())
