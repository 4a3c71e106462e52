"""Request bodies the API accepts; unknown fields are refused and types are strict."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Long passphrases welcome; Cognito's pool policy enforces the same minimum.
Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=20000)


class SignUp(Body):
    company_name: Name
    name: Name
    email: EmailStr
    password: Password


class SignIn(Body):
    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=256)]


class Refresh(Body):
    refresh_token: Annotated[str, Field(min_length=1, max_length=8192)]


class CompanyUpdate(Body):
    name: Name | None = None
    brand_color: Color | None = None
    logo_url: HttpsUrl | None = None
