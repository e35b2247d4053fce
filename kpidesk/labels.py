"""Names shown to users for the data model's ids (kinds, fields, grains, comparisons, dimensions).

Marked with ``N_`` and translated where shown with ``_()``, so the command line,
the window and the export name things the same way.
"""

from __future__ import annotations

from kpidesk.i18n import N_

KIND_TITLES: dict[str, str] = {
    "sales": N_("Sales"),
    "leads": N_("Leads"),
    "opportunities": N_("Opportunities"),
    "customers": N_("Customers"),
    "spend": N_("Spend"),
    "activities": N_("Activities"),
    "surveys": N_("Surveys"),
    "targets": N_("Targets"),
}

FIELD_TITLES: dict[str, str] = {
    "date": N_("Date"),
    "amount": N_("Amount"),
    "invoice_id": N_("Invoice"),
    "customer_id": N_("Customer id"),
    "customer_name": N_("Customer"),
    "product": N_("Product"),
    "quantity": N_("Quantity"),
    "unit_price": N_("Unit price"),
    "salesperson": N_("Salesperson"),
    "channel": N_("Channel"),
    "region": N_("Region"),
    "segment": N_("Segment"),
    "created_date": N_("Created"),
    "lead_id": N_("Lead"),
    "qualified": N_("Qualified"),
    "qualified_date": N_("Qualified on"),
    "converted": N_("Converted"),
    "converted_date": N_("Converted on"),
    "status": N_("Status"),
    "opportunity_id": N_("Opportunity"),
    "close_date": N_("Closed on"),
    "name": N_("Name"),
    "category": N_("Category"),
    "type": N_("Type"),
    "score": N_("Score"),
    "kpi": N_("KPI"),
    "period": N_("Period"),
    "value": N_("Value"),
    "dimension": N_("Dimension"),
    "member": N_("Member"),
    "batch_id": N_("Import #"),
    "file": N_("File"),
    "sheet": N_("Sheet"),
    "source_row": N_("Row in file"),
}


GRAIN_LABELS: dict[str, str] = {
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
}
COMPARISON_LABELS: dict[str, str] = {
    "previous": N_("Previous period"),
    "year": N_("Same period last year"),
    "none": N_("No comparison"),
}

DIMENSION_ALL: dict[str, str] = {
    "salesperson": N_("All salespeople"),
    "channel": N_("All channels"),
    "region": N_("All regions"),
    "segment": N_("All segments"),
    "product": N_("All products"),
    "customer": N_("All customers"),
}

DIMENSION_LABELS: dict[str, str] = {
    "salesperson": N_("Salesperson"),
    "channel": N_("Channel"),
    "region": N_("Region"),
    "segment": N_("Segment"),
    "product": N_("Product"),
    "customer": N_("Customer"),
}

UNIT_LABELS: dict[str, str] = {
    "currency": N_("amount"),
    "count": N_("count"),
    "percent": N_("percent"),
    "days": N_("days"),
    "score": N_("score"),
    "ratio": N_("ratio"),
}

DIRECTION_LABELS: dict[str, str] = {
    "higher": N_("higher is better"),
    "lower": N_("lower is better"),
    "neutral": N_("neither higher nor lower is better"),
}
