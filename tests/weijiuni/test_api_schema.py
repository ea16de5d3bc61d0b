"""The OpenAPI schema documents the answers the API really gives, errors included."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()["paths"]


def test_every_operation_documents_its_error_answers(paths):
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"413", "415"} <= codes, (method, path)


def test_an_unrouted_api_url_is_a_json_404(client):
    response = client.get("/api/v1/households/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
