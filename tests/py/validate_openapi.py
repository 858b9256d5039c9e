"""Validates the OpenAPI document read from stdin against the OpenAPI 3.1 specification
(openapi-spec-validator, pinned in requirements.txt). Prints `valid`, or the first error
and exits 1. Run by the server's `openapi` integration test on GET /v1/openapi.json."""

import json
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

try:
    validate(json.load(sys.stdin))
except OpenAPIValidationError as error:
    print(f"invalid: {error}")
    sys.exit(1)
print("valid")
