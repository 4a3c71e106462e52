"""The demo data a fresh local stack opens with: a company, its admin, an interview, a candidate."""

from __future__ import annotations

DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - local demo account, printed on start


def seed_demo() -> dict[str, str]:
    """Create the demo company and return what the banner and the state file show."""
    from chalicelib.domain import identity, interviews, invitations
    from chalicelib.domain.links import candidate_link

    signed_up = identity.sign_up("Demo Company", "Dana Admin", DEMO_EMAIL, DEMO_PASSWORD)
    identity.update_company(signed_up.company.company_id, None, "#0b5cad")
    company = identity.get_company(signed_up.company.company_id)
    interview = interviews.create_interview(
        company.company_id,
        "Customer Support Specialist",
        [
            {
                "text": "Tell us about yourself and why this role interests you.",
                "think_seconds": 30,
                "max_answer_seconds": 120,
                "retakes": 2,
            },
            {
                "text": "Describe a time you turned an unhappy customer around.",
                "think_seconds": 60,
                "max_answer_seconds": 180,
                "retakes": 1,
            },
            {
                "text": "Which tools do you use to stay organised?",
                "answer_type": "text",
                "think_seconds": 0,
                "max_answer_seconds": 0,
                "retakes": 0,
            },
        ],
        created_by=signed_up.recruiter.user_id,
        rubric=[
            {
                "name": "Communication",
                "anchors": [
                    "Hard to follow",
                    "Understandable with effort",
                    "Clear",
                    "Clear and engaging",
                    "Exceptionally clear and persuasive",
                ],
            },
            {
                "name": "Customer empathy",
                "anchors": [
                    "No sign of it",
                    "Mentions the customer",
                    "Puts the customer first",
                    "Shows real understanding",
                    "Turns customers into fans",
                ],
            },
        ],
        role_description="Help our customers succeed, by email and chat.",
        intro="Thanks for your interest! This takes about 15 minutes.",
        outro="Thank you. We will be in touch within a week.",
        support_contact="hiring@example.com",
    )
    interview = interviews.set_apply_link(company.company_id, interview.interview_id, True, 50)
    invitation, token = invitations.create_invitation(
        company, interview, "Sam Candidate", "sam@example.com"
    )
    invitations.send_invitation_email(invitation, token)
    return {
        "email": DEMO_EMAIL,
        "password": DEMO_PASSWORD,
        "company_id": company.company_id,
        "interview_id": interview.interview_id,
        "candidate_link": candidate_link(token),
        "apply_link": interviews.apply_link(interview),
    }
