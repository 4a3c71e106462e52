"""The candidate's language through the API: picked on the site, kept for later emails."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.data.models import Invitation, utcnow
from chalicelib.domain.invitations import find_by_token
from tests.drivers.api import Candidate, Http, consenting_candidate, create

QUESTION = {"text": "Tell us.", "think_seconds": 0, "max_answer_seconds": 60, "retakes": 0}


def candidate_of(http: Http, admin: dict, **interview: object) -> Candidate:
    token = admin["tokens"]["id_token"]
    created = create(http, token, questions=[QUESTION], **interview)
    return consenting_candidate(http, token, created["interview_id"])


def test_a_candidate_who_picks_arabic_gets_it_in_the_session_and_on_their_invitation(
    http: Http, admin: dict
) -> None:
    # GIVEN a candidate invited to an interview in Spanish
    sam = candidate_of(http, admin, language="es")
    assert sam.session()["language"] == "es"
    # WHEN they pick Arabic on the site
    status, body = sam.call("PUT", "/language", {"language": "ar"})
    # THEN it is stored on their invitation, for the pages and every later email
    assert (status, body) == (200, {"language": "ar"})
    assert sam.session()["language"] == "ar"
    assert find_by_token(sam.token).language == "ar"


def test_a_language_the_pages_are_not_written_in_is_refused_by_field(
    http: Http, admin: dict
) -> None:
    sam = candidate_of(http, admin)
    status, body = sam.call("PUT", "/language", {"language": "xx"})
    assert status == 422, body
    assert [d["field"] for d in body["details"]] == ["language"]
    assert sam.session()["language"] == "en"


def test_the_your_data_page_gets_brand_and_language_after_the_deadline_too(
    http: Http, admin: dict
) -> None:
    # GIVEN a candidate who picked German, and whose deadline has passed
    sam = candidate_of(http, admin)
    assert sam.call("PUT", "/language", {"language": "de"})[0] == 200
    invitation = find_by_token(sam.token)
    invitation.update(actions=[Invitation.deadline.set(utcnow() - timedelta(hours=1))])
    assert sam.call("GET", "/session")[0] == 410
    # WHEN their "your data" page asks for its branding
    status, body = sam.call("GET", "/branding")
    # THEN it gets the company's brand, the language and the interview's time zone
    assert status == 200, body
    assert body["company"]["name"] == invitation.company_name
    assert set(body["company"]) == {"name", "brand_color", "logo_url"}
    assert (body["language"], body["time_zone"]) == ("de", invitation.time_zone)


def test_a_wrong_link_gets_neither_branding_nor_a_language(http: Http) -> None:
    stranger = Candidate(http, "not-a-real-token")
    assert stranger.call("GET", "/branding")[0] == 401
    assert stranger.call("PUT", "/language", {"language": "fr"})[0] == 401


def test_an_applicant_gets_their_link_in_the_language_they_read_the_apply_page_in(
    http: Http, admin: dict
) -> None:
    from tests.drivers.api import links_sent_to, sent_emails, session

    token = admin["tokens"]["id_token"]
    created = create(http, token, questions=[QUESTION], title="Barista")
    path = f"/interviews/{created['interview_id']}/apply-link"
    status, updated = http.call("PUT", path, {"enabled": True, "cap": 10}, token=token)
    assert status == 200, updated
    code = updated["apply"]["url"].split("#code=")[1]
    # WHEN Ana applies from the page she switched to Portuguese
    body = {"name": "Ana Souza", "email": "ana.souza@example.com", "language": "pt"}
    assert http.call("POST", f"/apply/{code}", body)[0] == 202
    # THEN her email is in Portuguese, and so are the pages her link opens
    [mail] = [m for m in sent_emails() if m["to"] == ["ana.souza@example.com"]]
    assert "convida você para uma entrevista em vídeo: Barista" in mail["subject"]
    [link] = links_sent_to("ana.souza@example.com")
    assert session(http, link)[1]["language"] == "pt"
