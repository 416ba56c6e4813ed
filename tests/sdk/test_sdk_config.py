"""One validated configuration: ``AsyncSume(...)`` and ``with_options(...)`` check options by the same rules.

The options live in one frozen ``ClientConfig``; ``with_options`` derives a copy, changing
only what it is given, and never holds an option that was not checked.
"""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest
from sdk_helpers import KEY

from sume_async import AsyncSume, InvalidInputError, PollPolicy, RetryPolicy

BAD_OPTIONS: list[tuple[str, Any]] = [
    ("timeout", float("nan")),
    ("timeout", -1),
    ("timeout", "5"),
    ("max_retries", -1),
    ("max_retries", 21),
    ("max_retries", 1.5),
    ("retry_policy", {"max_retries": 1}),
    ("poll_policy", "fast"),
    ("default_headers", {"Authorization": "Bearer x"}),
    ("default_headers", {"X-Trace": " padded"}),
    ("default_headers", {"X-Trace": "caf\u00e9"}),
    ("default_headers", ["X-Trace", "1"]),
]


@pytest.mark.parametrize(("option", "value"), BAD_OPTIONS)
def test_init_and_with_options_refuse_the_same_values(option: str, value: Any) -> None:
    with pytest.raises(InvalidInputError) as at_init:
        AsyncSume(KEY, base_url="http://127.0.0.1:9/api/v1", **{option: value})
    sume = AsyncSume(KEY, base_url="http://127.0.0.1:9/api/v1")
    with pytest.raises(InvalidInputError) as at_derive:
        sume.with_options(**{option: value})
    assert at_init.value.field == at_derive.value.field


def test_with_options_changes_only_what_it_is_given() -> None:
    retry = RetryPolicy(max_retries=3, initial_delay=0.5)
    sume = AsyncSume(
        KEY,
        base_url="http://127.0.0.1:9/api/v1",
        auth="x-api-key",
        timeout=7,
        retry_policy=retry,
        default_headers={"X-App": "a"},
        max_response_bytes=4096,
    )
    derived = sume.with_options(max_retries=0, default_headers={"X-Trace": "t"})
    assert derived.base_url == sume.base_url and derived.auth == "x-api-key"
    assert derived.timeout == httpx.Timeout(7)
    assert derived.retry_policy == attrs.evolve(retry, max_retries=0)  # only the count changed
    assert derived.default_headers == {"X-App": "a", "X-Trace": "t"}
    assert derived._config.max_response_bytes == 4096
    assert derived._config.api_key == sume._config.api_key
    # the parent is untouched
    assert sume.retry_policy == retry and sume.default_headers == {"X-App": "a"}
    policy = PollPolicy(first=0.1)
    assert sume.with_options(poll_policy=policy).poll_policy == policy
    assert sume.with_options(timeout=None).timeout is None


def test_the_configuration_is_frozen_and_hides_the_key() -> None:
    sume = AsyncSume(KEY, base_url="http://127.0.0.1:9/api/v1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sume._config.base_url = "https://elsewhere.example"  # type: ignore[misc]
    assert KEY not in repr(sume._config) and KEY not in repr(sume)
    with pytest.raises(AttributeError):
        sume.base_url = "https://elsewhere.example"  # type: ignore[misc]


def test_a_transport_that_is_not_one_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="transport"):
        AsyncSume(KEY, transport="not a transport")  # type: ignore[arg-type]


def test_a_bad_value_from_the_environment_is_named_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUME_API_BASE_URL", "http://api.example/v1")  # plain http, not loopback
    with pytest.raises(InvalidInputError) as caught:
        AsyncSume(KEY)
    assert caught.value.field == "SUME_API_BASE_URL"
    monkeypatch.setenv("SUME_API_KEY", "key with spaces")
    with pytest.raises(InvalidInputError) as caught:
        AsyncSume(base_url="http://127.0.0.1:9/api/v1")
    assert caught.value.field == "SUME_API_KEY"
    with pytest.raises(InvalidInputError) as caught:
        AsyncSume("key with spaces", base_url="http://127.0.0.1:9/api/v1")
    assert caught.value.field == "api_key"
