"""Company logos: uploaded with a presigned POST, checked by their bytes, served by a route.

moto stores any POST: the policies are decoded and judged as S3 judges them
(`tests.drivers.s3_policy`), and only what S3 would accept is put into moto.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from urllib.parse import urlparse

from chalicelib.adapters.aws import client
from chalicelib.domain import logos
from tests.drivers.api import Http, create, links_sent_to, session, sign_up
from tests.drivers.s3_policy import post_chunk, s3_accepts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
WEBP = b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def start(http: Http, token: str, content_type: str, size: int) -> tuple[int, dict]:
    body = {"content_type": content_type, "size_bytes": size}
    return http.call("POST", "/company/logo/upload", body, token=token)


def test_the_policy_fixes_the_key_the_type_the_size_and_expires_within_minutes(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    company_id = admin["company"]["company_id"]
    status, grant = start(http, token, "image/png", len(PNG))
    assert status == 201, grant
    # THEN the key is exactly the logo's, under the company's own prefix
    assert grant["fields"]["key"] == f"logo-uploads/{company_id}/{grant['logo_id']}"
    policy = json.loads(base64.b64decode(grant["fields"]["policy"]))
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 15 * 60
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert ["content-length-range", 1, 512 * 1024] in policy["conditions"]
    assert grant["max_bytes"] == 512 * 1024
    # AND S3 would take the PNG, but not a larger file, another type, or another key
    assert s3_accepts(grant["fields"], 512 * 1024)
    assert not s3_accepts(grant["fields"], 512 * 1024 + 1)
    assert not s3_accepts({**grant["fields"], "Content-Type": "image/svg+xml"}, 100)
    assert not s3_accepts({**grant["fields"], "Content-Type": "text/html"}, 100)
    assert not s3_accepts({**grant["fields"], "key": f"logos/{company_id}/x"}, 100)
    assert not s3_accepts({**grant["fields"], "key": grant["fields"]["key"] + "x"}, 100)


def test_svg_other_types_and_large_files_are_refused_before_uploading(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    status, error = start(http, token, "image/svg+xml", 1000)
    assert status == 422
    assert "SVG" in error["message"]
    assert "scripts" in error["message"]
    assert error["details"][0]["field"] == "content_type"
    status, error = start(http, token, "image/gif", 1000)
    assert (status, error["details"][0]["field"]) == (422, "content_type")
    status, error = start(http, token, "image/png", 700 * 1024)
    assert status == 422
    assert error["details"][0]["field"] == "size_bytes"
    assert "700 KB" in error["message"]
    assert "512 KB" in error["message"]


def test_an_uploaded_png_jpeg_or_webp_becomes_the_logo_candidates_see(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    company_id = admin["company"]["company_id"]
    for content_type, data in (("image/jpeg", JPEG), ("image/webp", WEBP), ("image/png", PNG)):
        # WHEN the admin uploads a logo and finalises it
        status, grant = start(http, token, content_type, len(data))
        assert status == 201, grant
        assert post_chunk(grant, grant["fields"]["key"], data) == 204
        status, company = http.call(
            "POST", "/company/logo", {"logo_id": grant["logo_id"]}, token=token
        )
        assert status == 200, company
        # THEN the company's logo URL is the stable logo route on the site's origin
        route = f"/logos/{company_id}/{grant['logo_id']}"
        assert company["logo_url"] == f"http://127.0.0.1:8000/api{route}"
        # AND the route redirects anyone to a short-lived link to the image, typed by its bytes
        response = http._client.http.get(route)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "X-Amz-Expires=" in location
        assert urlparse(location).path.endswith(f"logos/{company_id}/{grant['logo_id']}")
        stored = client("s3").get_object(
            Bucket=os.environ["MEDIA_BUCKET"], Key=f"logos/{company_id}/{grant['logo_id']}"
        )
        assert stored["ContentType"] == content_type
        assert stored["Body"].read() == data
    # AND a candidate invited now gets the logo with their interview
    interview = create(http, token)
    invite = {"candidates": [{"name": "Kim", "email": "kim@example.com"}]}
    path = f"/interviews/{interview['interview_id']}/invitations"
    assert http.call("POST", path, invite, token=token)[0] == 200
    _, seen = session(http, links_sent_to("kim@example.com")[0])
    assert seen["company"]["logo_url"] == company["logo_url"]
    # AND the staging upload is gone; a removed logo leaves the company without one
    staged = client("s3").list_objects_v2(
        Bucket=os.environ["MEDIA_BUCKET"], Prefix=f"logo-uploads/{company_id}/"
    )
    assert staged.get("KeyCount", 0) == 0
    status, company = http.call("DELETE", "/company/logo", token=token)
    assert (status, company["logo_url"]) == (200, None)
    _, log = http.call("GET", "/audit", token=token)
    said = {e["summary"] for e in log["events"]}
    assert "Ada Admin changed the company's logo" in said
    assert "Ada Admin removed the company's logo" in said


def test_a_file_that_is_not_the_image_it_claims_is_refused_and_deleted(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    # GIVEN an upload announced as PNG whose bytes are an HTML page
    status, grant = start(http, token, "image/png", 40)
    assert status == 201
    page = b"<html><script>alert(1)</script></html>"
    assert post_chunk(grant, grant["fields"]["key"], page) == 204
    # WHEN it is finalised THEN it is refused, naming the problem, and deleted
    status, error = http.call("POST", "/company/logo", {"logo_id": grant["logo_id"]}, token=token)
    assert status == 422
    assert error["details"][0]["problem"] == "not_an_image"
    assert "PNG, JPEG or WebP" in error["message"]
    listed = client("s3").list_objects_v2(Bucket=os.environ["MEDIA_BUCKET"], Prefix="logo")
    assert listed.get("KeyCount", 0) == 0
    # AND the company has no logo; the route serves nothing it did not check
    _, me = http.call("GET", "/me", token=token)
    assert me["company"]["logo_url"] is None
    # AND a finalise with nothing uploaded says so
    status, error = http.call("POST", "/company/logo", {"logo_id": grant["logo_id"]}, token=token)
    assert (status, error["details"][0]["problem"]) == (422, "missing")
    assert logos.image_type(b"GIF89a") is None


def test_another_company_cannot_finalise_a_logo_it_did_not_upload(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    status, grant = start(http, token, "image/png", len(PNG))
    assert post_chunk(grant, grant["fields"]["key"], PNG) == 204
    other = sign_up(http, "gil@globex.example.com", "Globex")["tokens"]["id_token"]
    status, error = http.call("POST", "/company/logo", {"logo_id": grant["logo_id"]}, token=other)
    assert (status, error["details"][0]["problem"]) == (422, "missing")
    _, me = http.call("GET", "/me", token=other)
    assert me["company"]["logo_url"] is None


def test_a_linked_logo_is_refused_with_how_to_upload_one(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    # GIVEN a company with a name; WHEN an integration sends a logo link with a new name
    body = {"name": "Linked Ltd", "logo_url": "https://tracker.example.com/logo.png"}
    status, error = http.call("PATCH", "/company", body, token=token)
    # THEN it is refused, naming the field and saying how to upload a logo
    assert status == 422
    [detail] = error["details"]
    assert (detail["field"], detail["problem"]) == ("logo_url", "extra_forbidden")
    assert detail["message"].startswith("A logo is uploaded, not linked")
    assert "POST /company/logo/upload" in detail["message"]
    # AND nothing of the request was applied
    _, me = http.call("GET", "/me", token=token)
    assert me["company"]["logo_url"] is None
    assert me["company"]["name"] != "Linked Ltd"
