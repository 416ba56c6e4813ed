"""``sume_async._schema.names`` restates the pinned generator's naming rules: it must agree with them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_python_client.parser.openapi import generate_operation_id
from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import ClassName, PythonIdentifier

from sume_async._schema import names

# Identifier-ish text, with the delimiters, digits, case changes and odd characters the rules care about.
TEXT = st.text(alphabet=st.sampled_from("aAbBzZ09_-. /{}$éÄ"), max_size=16) | st.sampled_from(
    ["getJob", "get_job", "GetJob", "get-job", "JobErrorINFO", "class", "id", "list", "_x", "9lives", ""]
)


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_identifiers_match_the_generator(value: str) -> None:
    assert names.module_name(value) == PythonIdentifier(value, names.FIELD_PREFIX)
    assert names.module_name(value, prefix="tag") == PythonIdentifier(value, "tag")
    assert names.class_name(value) == ClassName(value, names.FIELD_PREFIX)


@given(st.sampled_from(["get", "post", "delete"]), st.lists(TEXT, min_size=1, max_size=3))
@settings(max_examples=100, deadline=None)
def test_operation_modules_without_an_id_match_the_generator(method: str, parts: list[str]) -> None:
    path = "/" + "/".join(parts)
    expected = PythonIdentifier(
        generate_operation_id(path=UntrustedString(path), method=method, prefix=names.FIELD_PREFIX),
        names.FIELD_PREFIX,
    )
    assert names.operation_module(None, method, path) == expected


def test_known_names() -> None:
    assert names.operation_module("getJob", "get", "/x") == names.operation_module("get_job", "get", "/y") == "get_job"
    assert names.class_name("job_error_info") == "JobErrorInfo"
    assert names.tag_folder(["Jobs"]) == "jobs" and names.tag_folder(None) == "default"
