"""Email templates: personal, escaped, with a text part of their own."""

from chalicelib.adapters.email import render


def _invitation(**overrides: str) -> dict:
    context = {
        "candidate_name": "Sam",
        "company_name": "Acme",
        "title": "Support",
        "deadline": "Friday 4 December 2026, 17:00 UTC",
        "link": "https://interviews.example.com/candidate/#token=abc",
        "support_contact": "hiring@acme.example.com",
    }
    return {**context, **overrides}


def test_the_invitation_names_the_company_role_deadline_and_link() -> None:
    email = render("invitation", to="sam@example.com", **_invitation())
    assert email.subject == "Acme invites you to a video interview: Support"
    for part in (email.html, email.text):
        assert "Friday 4 December 2026, 17:00 UTC" in part
        assert "https://interviews.example.com/candidate/#token=abc" in part
        assert "hiring@acme.example.com" in part


def test_html_escapes_what_users_typed_and_text_keeps_it_readable() -> None:
    email = render("invitation", to="x@example.com", **_invitation(company_name="<b>Evil</b>"))
    assert "<b>Evil</b>" not in email.html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in email.html
    assert "<b>Evil</b> invites you" in email.text


def test_the_support_line_is_left_out_when_there_is_no_contact() -> None:
    email = render("invitation", to="x@example.com", **_invitation(support_contact=""))
    assert "Contact" not in email.text


def test_the_record_again_email_names_each_reopened_question_and_escapes_its_text() -> None:
    # GIVEN two answers that failed processing after the candidate submitted
    questions = [
        {"position": 1, "text": "Tell us <i>about</i> yourself."},
        {"position": 3, "text": "Why us?"},
    ]
    context = {**_invitation(), "questions": questions, "privacy_link": "https://x.example/p"}
    # WHEN the notice is rendered
    email = render("rerecord", to="sam@example.com", **context)
    # THEN it asks for those answers again, with the new deadline and the link
    assert email.subject == "Please record some answers again for your Acme interview (Support)"
    assert "Question 1: Tell us &lt;i&gt;about&lt;/i&gt; yourself." in email.html
    assert "Question 3: Why us?" in email.text
    for part in (email.html, email.text):
        assert "Friday 4 December 2026, 17:00 UTC" in part
        assert "https://interviews.example.com/candidate/#token=abc" in part
        assert "your other answers are kept" in part
