"""The KPI maths: catalogue, periods, engine, demo company (pandas/numpy only)."""
