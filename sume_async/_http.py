"""The httpx client the SDK creates, and building requests for it without repeated work.

Most of a call's cost is inside httpx, in work for features the SDK never uses: merging
the client's base URL, params and cookies into every request, and parsing every
response for ``Set-Cookie``. So for the client the SDK owns:

- :class:`SDKAsyncClient` keeps no cookies. The Sume API authenticates with a key and
  sets none; a cookie from a proxy in front of it is ignored instead of being sent back
  on later calls.
- :class:`RequestBuilder` merges the client's headers with the SDK's (user agent, auth,
  ``default_headers``) and the timeout once, and then builds each ``httpx.Request``
  directly, which is what ``build_request`` does for a client with no base URL, params,
  cookies or auth, minus the merging.
- A list call's query (``limit``, ``cursor``, filters) is encoded by ``httpx.QueryParams``,
  httpx's own rules, and set on the already parsed URL of the endpoint instead of parsing
  and merging the whole URL again for every page: the bytes sent are the same.

A caller's own ``http_client=`` keeps the full ``build_request`` path: its headers,
cookies, params and auth apply as httpx defines.

The SDK's client reads proxies and CA bundles from the environment, as httpx does
(``HTTPS_PROXY``, ``ALL_PROXY``, ``SSL_CERT_FILE``, ...). :func:`sdk_client` turns what a
bad variable makes httpx raise (``FileNotFoundError``, ``ImportError`` for a SOCKS proxy
without ``socksio``, ``httpx.InvalidURL``) into a :class:`ConfigurationError` naming it.
"""

from __future__ import annotations

import importlib.util
import os
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from ._errors import ConfigurationError

__all__ = ["RequestBuilder", "SDKAsyncClient", "sdk_client"]

#: The proxy variables httpx reads (through ``urllib.request.getproxies``, either case).
_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

_MAX_CACHED_URLS = 1024


class _NoCookies(httpx.Cookies):
    """A cookie store that stays empty: nothing is extracted or sent."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class SDKAsyncClient(httpx.AsyncClient):
    """The ``httpx.AsyncClient`` the SDK creates when none is given: no cookie handling."""

    _NO_COOKIES = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        pass  # httpx sets an empty jar at construction; the SDK never sets cookies


def sdk_client(**kwargs: Any) -> SDKAsyncClient:
    """An :class:`SDKAsyncClient`; a ``ConfigurationError`` naming the variable when the environment breaks it."""
    # httpx accepts some proxy URLs it can never connect through (a port past 65535, a host
    # with a space): those are refused here, before they become "connection errors" retried.
    problem = _proxy_variable_problem()
    if problem is not None:
        raise problem
    try:
        return SDKAsyncClient(**kwargs)
    except (OSError, ImportError, ValueError, httpx.InvalidURL) as exc:  # ssl.SSLError is an OSError
        raise environment_error(exc) from None


def environment_error(exc: BaseException) -> ConfigurationError:
    """Which environment variable made building the client fail, and why (never its value: it may hold a password)."""
    cafile = os.environ.get("SSL_CERT_FILE")
    if cafile:
        if not os.path.isfile(cafile) or not os.access(cafile, os.R_OK):
            return ConfigurationError("SSL_CERT_FILE", "names no readable file")
        if isinstance(exc, ssl.SSLError):
            return ConfigurationError("SSL_CERT_FILE", "is not a CA bundle in PEM format")
    capath = os.environ.get("SSL_CERT_DIR")
    if capath and not cafile and not os.path.isdir(capath):
        return ConfigurationError("SSL_CERT_DIR", "names no directory")
    return _proxy_variable_problem() or ConfigurationError(
        "environment", f"cannot configure the HTTP client ({type(exc).__name__}); check proxy and SSL_* variables"
    )


def _proxy_variable_problem() -> ConfigurationError | None:
    for name, value in sorted(os.environ.items()):
        if name.lower() in _PROXY_VARIABLES and value:
            problem = _proxy_problem(value)
            if problem:
                return ConfigurationError(name, problem)
    return None


def _proxy_problem(value: str) -> str | None:
    url = value if "://" in value else f"http://{value}"  # as httpx reads a bare host:port
    try:
        parsed = httpx.URL(url)
        host, _ = parsed.host, parsed.port
    except (httpx.InvalidURL, TypeError, ValueError):
        return "is not a valid proxy URL"
    if parsed.scheme not in _PROXY_SCHEMES or not host:
        return "is not an http://, https:// or socks5:// proxy URL"
    if "%" in host or (parsed.port is not None and not 1 <= parsed.port <= 65535):
        return "is not a valid proxy URL (its host or port)"
    if parsed.scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        return "is a SOCKS proxy, which needs httpx's socks extra (pip install 'httpx[socks]')"
    return None


class RequestBuilder:
    """Builds the ``httpx.Request`` of an API call for one client and set of options."""

    def __init__(self, http: httpx.AsyncClient, headers: Mapping[str, str], timeout: httpx.Timeout | None) -> None:
        self._http = http
        self._direct = isinstance(http, SDKAsyncClient)
        self._headers = httpx.Headers(headers)
        self._timeout = timeout
        # Merged once: the client's own headers, then the SDK's; the timeout as httpx stores it.
        self._merged = httpx.Headers(http.headers)
        self._merged.update(headers)
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        # Parsed URLs of recent parameterless requests (a wait polls the same job again and
        # again); httpx.URL is immutable, so one object serves every request to its URL.
        self._urls: dict[str, httpx.URL] = {}

    def build(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout | bool | None = False,
    ) -> httpx.Request:
        """``headers`` add to the merged ones; ``timeout`` replaces the default unless ``False``."""
        if not self._direct:
            return self._http.build_request(
                method,
                url,
                params=params,
                json=json,
                headers=_merge(self._headers, headers),
                timeout=self._timeout if timeout is False else timeout,
            )
        merged = _merge(self._merged, headers)
        extensions = self._extensions
        if timeout is not False:
            extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        target = self._url(url)
        if params:
            with_query = _with_query(target, params)
            if with_query is None:
                return httpx.Request(method, url, params=params, headers=merged, json=json, extensions=extensions)
            target = with_query
        return httpx.Request(method, target, headers=merged, json=json, extensions=extensions)

    def _url(self, url: str) -> httpx.URL:
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _MAX_CACHED_URLS:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed


def _with_query(url: httpx.URL, params: Mapping[str, Any]) -> httpx.URL | None:
    """``url`` with the query ``params`` encode to, as ``URL.copy_merge_params`` makes it; or ``None``.

    ``QueryParams`` encodes (``True`` as ``true``, lists as repeated keys, ``urlencode``
    quoting), and its output is already in the form ``URL`` keeps a query in, so the parsed
    URL only needs its query component replaced (public ``URL.copy_with``). ``None`` (build it
    the general way) when ``url`` has a query or fragment of its own to merge with, or when
    there is no query after all.
    """
    if url.query or url.fragment:
        return None
    query = str(httpx.QueryParams(params))
    if not query:
        return None
    return url.copy_with(query=query.encode("ascii"))


def _merge(base: httpx.Headers, extra: Mapping[str, str] | None) -> httpx.Headers:
    """``base`` with ``extra`` on top, names compared case-insensitively (one ``Accept``, not two)."""
    if not extra:
        return base
    merged = httpx.Headers(base)
    merged.update(extra)
    return merged
