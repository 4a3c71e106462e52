"""Reviewing candidates: pipeline, detail, scores, comments, stages, shares, analytics."""

from __future__ import annotations

import math

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import PAGED, Access, Audit, Call, Param, endpoint, schemas
from chalicelib.domain import analytics, decisions, review, shares
from chalicelib.domain.errors import BadRequest

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/pipeline",
    "GET",
    access=Access.RECRUITER,
    query={
        **PAGED,
        "status": Param(enum=("invited", "opened", "started", "completed", "expired", "revoked")),
        "stage": Param(enum=("new", "shortlisted", "advanced", "rejected")),
        "min_score": Param("number", "Only candidates scored this or higher (1-5).", 0, 5),
    },
)
def pipeline(call: Call, interview_id: str) -> dict:
    query = call.query
    rows, cursor = review.pipeline(
        call.recruiter,
        interview_id,
        status=query.get("status") or None,
        stage=query.get("stage") or None,
        min_score=_number(query.get("min_score")),
        limit=call.page_size(),
        cursor=query.get("cursor") or None,
    )
    return {"candidates": [views.pipeline_row(row) for row in rows], "next_cursor": cursor}


def _number(value: str | None) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise BadRequest(
            "min_score must be a number.",
            details=[{"field": "min_score", "problem": "not_a_number", "message": value}],
        )
    return number


@endpoint(blueprint, "/invitations/{invitation_id}", "GET", access=Access.RECRUITER)
def candidate_detail(call: Call, invitation_id: str) -> dict:
    return views.candidate_detail(review.detail(call.recruiter, invitation_id))


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/review",
    "PUT",
    access=Access.RECRUITER,
    body=schemas.ReviewIn,
    audit=Audit.SELF,
)
def save_review(call: Call, invitation_id: str) -> dict:
    body = call.body
    saved = review.save_review(
        call.recruiter,
        invitation_id,
        body.scores,
        recommendation=body.recommendation,
        note=body.note,
    )
    return views.reviews(saved)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/comments",
    "POST",
    access=Access.RECRUITER,
    body=schemas.CommentIn,
    audit=Audit.AUTO,
    status=201,
)
def add_comment(call: Call, invitation_id: str) -> dict:
    return views.comment(review.add_comment(call.recruiter, invitation_id, call.body.text))


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/stage",
    "POST",
    access=Access.ADMIN,
    body=schemas.StageIn,
    audit=Audit.SELF,
)
def set_stage(call: Call, invitation_id: str) -> dict:
    body = call.body
    invitation, notified = review.set_stage(
        call.recruiter, invitation_id, body.stage, body.tags, body.notify
    )
    return {**views.invitation(invitation), "notified": notified}


@endpoint(blueprint, "/company/templates", "GET", access=Access.RECRUITER)
def get_templates(call: Call) -> dict:
    return views.decision_templates(decisions.templates_of(call.recruiter.company_id))


@endpoint(
    blueprint,
    "/company/templates",
    "PUT",
    access=Access.ADMIN,
    body=schemas.TemplatesIn,
    audit=Audit.AUTO,
)
def put_templates(call: Call) -> dict:
    saved = decisions.save_templates(call.recruiter.company_id, call.body.model_dump())
    return views.decision_templates(saved)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/shares",
    "POST",
    access=Access.RECRUITER,
    body=schemas.ShareIn,
    audit=Audit.SELF,
    status=201,
    api_keys=False,  # a share link works while the person who made it is on the team
)
def create_share(call: Call, invitation_id: str) -> dict:
    body = call.body
    share = shares.create(call.recruiter, invitation_id, body.expires_in_days, body.mask_name)
    return views.new_share(share)


@endpoint(blueprint, "/invitations/{invitation_id}/shares", "GET", access=Access.RECRUITER)
def list_shares(call: Call, invitation_id: str) -> dict:
    return {"shares": [views.share(s) for s in shares.list_for(call.recruiter, invitation_id)]}


@endpoint(
    blueprint, "/shares/{share_id}", "DELETE", access=Access.RECRUITER, audit=Audit.SELF, status=204
)
def revoke_share(call: Call, share_id: str) -> None:
    shares.revoke(call.recruiter, share_id)


@endpoint(blueprint, "/shared", "GET", access=Access.SHARE)
def shared_candidate(call: Call) -> dict:
    return views.shared_candidate(shares.open_shared(call.token))


@endpoint(blueprint, "/interviews/{interview_id}/analytics", "GET", access=Access.RECRUITER)
def interview_analytics(call: Call, interview_id: str) -> dict:
    found = analytics.interview_analytics(call.recruiter, interview_id)
    return views.interview_analytics(found)
