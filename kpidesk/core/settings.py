"""Settings that belong to the company and shape the KPIs (stored in its file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class CompanySettings:
    """The company's own settings (SPEC §5 Settings, §7 Storage).

    Attributes:
        company_name: shown in the title bar and the export.
        currency: ISO 4217 code of the amounts.
        fiscal_year_start: month (1-12) the fiscal year starts in; 1 is the calendar year.
        week_start: ISO weekday (1 Monday ... 7 Sunday) weeks start on.
        customer_base_months: a customer belongs to the base at a date when they bought
            in the preceding this-many months (retention, churn).
        one_time_buyer_days: a new customer with no second purchase within this many
            days is a one-time buyer.
    """

    company_name: str = ""
    currency: str = "EUR"
    fiscal_year_start: int = 1
    week_start: int = 1
    customer_base_months: int = 12
    one_time_buyer_days: int = 90

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> CompanySettings:
        """Settings from stored values; unknown keys are ignored, bad values keep the default."""
        base = cls()
        known = {f.name: f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in values.items():
            field = known.get(key)
            if field is None:
                continue
            default = getattr(base, key)
            try:
                changes[key] = type(default)(value)
            except (TypeError, ValueError):
                continue
        result = replace(base, **changes)
        result.validate()
        return result

    def validate(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise ValueError("fiscal_year_start must be a month from 1 to 12")
        if not 1 <= self.week_start <= 7:
            raise ValueError("week_start must be an ISO weekday from 1 to 7")
        if self.customer_base_months < 1:
            raise ValueError("customer_base_months must be at least 1")
        if self.one_time_buyer_days < 1:
            raise ValueError("one_time_buyer_days must be at least 1")
