"""Uploads: PDF/JPEG/PNG by content, size-limited, outside the web root, served in scope only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.documents import document_attach
from applicants.errors import DomainError
from applicants.models import Application, Household, Region

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%..." + b"0" * 64


@pytest.fixture
def application(accounts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    village = Region.objects.get(code="371002001002")
    return Application.objects.create(
        household=Household.objects.create(village=village),
        village=village,
        channel="window",
        created_by=accounts["caseworker"],
    )


def test_png_is_accepted_and_stored_outside_static(application, accounts, settings):
    doc = document_attach(
        application=application,
        kind="id_card",
        upload=SimpleUploadedFile("photo.png", PNG),
        by=accounts["caseworker"],
    )
    assert doc.content_type == "image/png"
    assert str(settings.MEDIA_ROOT) in doc.file.path


def test_type_is_decided_by_content_not_name(application, accounts):
    with pytest.raises(DomainError, match="PDF、JPEG 或 PNG"):
        document_attach(
            application=application,
            kind="income",
            upload=SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf"),
            by=accounts["caseworker"],
        )


def test_pdf_renamed_as_exe_is_still_a_pdf(application, accounts):
    doc = document_attach(
        application=application,
        kind="income",
        upload=SimpleUploadedFile("x.exe", PDF),
        by=accounts["caseworker"],
    )
    assert doc.content_type == "application/pdf" and doc.file.name.endswith(".pdf")


def test_oversized_file_is_refused(application, accounts, settings):
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(DomainError, match="不能超过"):
        document_attach(
            application=application,
            kind="income",
            upload=SimpleUploadedFile("a.png", PNG),
            by=accounts["caseworker"],
        )


def test_download_is_scoped(client, application, accounts):
    doc = document_attach(
        application=application,
        kind="id_card",
        upload=SimpleUploadedFile("p.png", PNG),
        by=accounts["caseworker"],
    )
    client.force_login(accounts["caseworker"])
    response = client.get(f"/documents/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    client.force_login(accounts["caseworker2"])
    assert client.get(f"/documents/{doc.pk}/").status_code == 404
